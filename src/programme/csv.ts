/**
 * CSV export of programme tables (RFC 4180), and the row layout the CSV and XLSX exports share: per table a title
 * row, a header row, one row per row label, a totals row, a blank row between tables, then the notes.
 */
import type { ShownTable, ShownValue } from "./table.ts";

/** The words the exports need besides the tables' own labels, already in the reader's language. */
export interface ExportLabels {
  /** Heading of the row-total column and label of the column-total row, e.g. "សរុប". */
  total: string;
  /** Shown for a value hidden because it is small, e.g. "<5". */
  small: string;
  /** Shown for a value hidden so a small one cannot be worked out from the totals, e.g. "×". */
  secondary: string;
  /** One line each after the tables: what was suppressed and why, when the export was made. May be empty. */
  notes: string[];
}

/** One cell of the export layout. */
export type ExportCell =
  | { kind: "text"; text: string }
  | { kind: "count"; value: number }
  /** A suppressed value, shown as the label for its reason. */
  | { kind: "hidden"; text: string };

/** What a row is; the XLSX export makes title, header and total rows bold. */
export type ExportRowKind = "title" | "header" | "body" | "total" | "blank" | "note";

/** One row of the export layout. */
export interface ExportRow {
  kind: ExportRowKind;
  cells: ExportCell[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CRLF = "\r\n";

/**
 * Writes the tables as one CSV file: UTF-8 with a byte-order mark (so Excel reads the Khmer as UTF-8), CRLF line
 * ends, counts in Latin digits without separators, hidden values as `labels.small` / `labels.secondary`. Tables
 * are separated by a blank line, and the notes follow the last table after a blank line (none when there are no
 * notes). Text that a spreadsheet could run as a formula gets a leading apostrophe.
 */
export function tablesToCsv(tables: ShownTable[], labels: ExportLabels): Buffer {
  const text = exportRows(tables, labels)
    .map((row) => row.cells.map(csvField).join(",") + CRLF)
    .join("");
  return Buffer.concat([BOM, Buffer.from(text, "utf8")]);
}

/**
 * Lays the tables out as rows, the same for every export format: per table title, header
 * [rowHeading, ...columnLabels, labels.total], the body rows with their row totals, and the totals row; a blank row
 * between tables and before the notes. Throws if a table's cells do not match its labels or a count is not a
 * non-negative whole number.
 */
export function exportRows(tables: ShownTable[], labels: ExportLabels): ExportRow[] {
  const sections = tables.map((table) => tableRows(table, labels));
  if (labels.notes.length > 0) sections.push(labels.notes.map((note) => ({ kind: "note", cells: [text(note)] })));
  return sections.flatMap((rows, i) => (i === 0 ? rows : [{ kind: "blank", cells: [] }, ...rows]));
}

function tableRows(table: ShownTable, labels: ExportLabels): ExportRow[] {
  checkShape(table);
  const shown = (value: ShownValue): ExportCell => shownCell(value, labels, table.id);
  const body = table.rowLabels.map((label, r): ExportRow => ({
    kind: "body",
    cells: [text(label), ...(table.cells[r] ?? []).map(shown), shown(table.rowTotals[r]!)],
  }));
  return [
    { kind: "title", cells: [text(table.title)] },
    { kind: "header", cells: [table.rowHeading, ...table.columnLabels, labels.total].map(text) },
    ...body,
    { kind: "total", cells: [text(labels.total), ...table.columnTotals.map(shown), shown(table.grandTotal)] },
  ];
}

function checkShape(table: ShownTable): void {
  const rows = table.rowLabels.length;
  const columns = table.columnLabels.length;
  const ragged = table.cells.some((row) => row.length !== columns);
  if (
    table.cells.length !== rows ||
    ragged ||
    table.rowTotals.length !== rows ||
    table.columnTotals.length !== columns
  ) {
    throw new Error(`table ${table.id}: cells and totals do not match ${rows} row and ${columns} column labels`);
  }
}

function shownCell(value: ShownValue, labels: ExportLabels, tableId: string): ExportCell {
  if (value.kind === "hidden")
    return { kind: "hidden", text: value.reason === "small" ? labels.small : labels.secondary };
  if (!Number.isSafeInteger(value.value) || value.value < 0) {
    throw new RangeError(`table ${tableId}: count ${value.value} is not a non-negative whole number`);
  }
  return { kind: "count", value: value.value };
}

function text(value: string): ExportCell {
  return { kind: "text", text: value };
}

function csvField(cell: ExportCell): string {
  // String() of a safe integer is plain Latin digits: no separators, no exponent, which spreadsheets read as numbers.
  if (cell.kind === "count") return String(cell.value);
  return quoteCsv(guardFormula(cell.text));
}

/**
 * A spreadsheet opening the CSV runs a field starting with =, +, - or @ as a formula (tab and CR can precede
 * one); the apostrophe makes it plain text (OWASP "CSV injection").
 */
function guardFormula(field: string): string {
  return /^[=+\-@\t\r]/.test(field) ? `'${field}` : field;
}

function quoteCsv(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
