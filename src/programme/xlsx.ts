/**
 * XLSX export of programme tables: a minimal Office Open XML workbook with one sheet, written by hand and zipped
 * with fflate, laid out like the CSV export (see {@link exportRows}).
 */
import { strToU8, zipSync, type Zippable } from "fflate";
import { exportRows, type ExportCell, type ExportLabels, type ExportRow } from "./csv.ts";
import type { ShownTable } from "./table.ts";

/** Sheet name used when the given one is empty after cleaning. */
export const DEFAULT_SHEET_NAME = "Sheet1";

const SHEET_NAME_MAX = 31;
const MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships";
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Indexes into cellXfs in styles.xml. */
const STYLE = { plain: 0, bold: 1, right: 2, boldRight: 3 } as const;

/**
 * Zip entries carry a DOS date-time in local time fields; fflate reads them with getFullYear() etc., so a local
 * 2000-01-01 00:00 gives the same bytes in every time zone, and the same tables always give the same file.
 */
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);

/**
 * Writes the tables as an XLSX workbook with one sheet named `sheetName` (cleaned by {@link cleanSheetName};
 * "Sheet1" if nothing is left). Counts are numeric cells, hidden values and labels are text; title, header and
 * total rows are bold, hidden values right-aligned like the counts. Output is deterministic: the same input gives
 * the same bytes.
 */
export function tablesToXlsx(tables: ShownTable[], labels: ExportLabels, sheetName: string): Uint8Array {
  const rows = exportRows(tables, labels);
  const files: Zippable = {
    "[Content_Types].xml": strToU8(contentTypesXml()),
    "_rels/.rels": strToU8(rootRelsXml()),
    "xl/workbook.xml": strToU8(workbookXml(cleanSheetName(sheetName))),
    "xl/_rels/workbook.xml.rels": strToU8(workbookRelsXml()),
    "xl/styles.xml": strToU8(stylesXml()),
    "xl/worksheets/sheet1.xml": strToU8(sheetXml(rows)),
  };
  return zipSync(files, { level: 6, mtime: FIXED_MTIME });
}

/**
 * Makes a valid Excel sheet name: drops the characters Excel forbids ([ ] : * ? / \) and those XML cannot carry,
 * trims spaces and apostrophes at the ends (Excel rejects a leading or trailing apostrophe), and keeps at most 31
 * UTF-16 units, cut between words (see {@link truncate}). Returns "Sheet1" if nothing is left.
 */
export function cleanSheetName(name: string): string {
  const cleaned = stripInvalidXml(name)
    .replace(/[[\]:*?/\\\r\n\t]/g, "")
    .replace(/^[\s']+|[\s']+$/g, "");
  const result = truncate(cleaned, SHEET_NAME_MAX).replace(/[\s']+$/, "");
  return result === "" ? DEFAULT_SHEET_NAME : result;
}

const WORDS = new Intl.Segmenter("km", { granularity: "word" });
const GRAPHEMES = new Intl.Segmenter("km", { granularity: "grapheme" });

/**
 * Cuts text to at most `max` UTF-16 units at a word boundary (ICU knows Khmer words, which are not separated by
 * spaces), or at a character boundary if the first word alone is too long: a Khmer syllable cut after a coeng reads
 * as a different word.
 */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const byWords = takeSegments(WORDS.segment(text), max);
  return byWords !== "" ? byWords : takeSegments(GRAPHEMES.segment(text), max);
}

function takeSegments(segments: Intl.Segments, max: number): string {
  let result = "";
  for (const { segment } of segments) {
    if (result.length + segment.length > max) break;
    result += segment;
  }
  return result;
}

function contentTypesXml(): string {
  const ct = "application/vnd.openxmlformats-officedocument.spreadsheetml";
  return (
    XML_HEAD +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    `<Override PartName="/xl/workbook.xml" ContentType="${ct}.sheet.main+xml"/>` +
    `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${ct}.worksheet+xml"/>` +
    `<Override PartName="/xl/styles.xml" ContentType="${ct}.styles+xml"/>` +
    "</Types>"
  );
}

function rootRelsXml(): string {
  return (
    XML_HEAD +
    `<Relationships xmlns="${PKG_REL_NS}">` +
    `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
    "</Relationships>"
  );
}

function workbookXml(sheetName: string): string {
  return (
    XML_HEAD +
    `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
    "</workbook>"
  );
}

function workbookRelsXml(): string {
  return (
    XML_HEAD +
    `<Relationships xmlns="${PKG_REL_NS}">` +
    `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
    `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
    "</Relationships>"
  );
}

/** Fonts, fills and borders are the minimum Excel insists on (two fills: none and gray125). */
function stylesXml(): string {
  const font = (bold: boolean) =>
    `<font>${bold ? "<b/>" : ""}<sz val="11"/><name val="Calibri"/><family val="2"/></font>`;
  const xf = (fontId: number, right: boolean) =>
    `<xf numFmtId="0" fontId="${fontId}" fillId="0" borderId="0" xfId="0"` +
    (fontId > 0 ? ' applyFont="1"' : "") +
    (right ? ' applyAlignment="1"><alignment horizontal="right"/></xf>' : "/>");
  return (
    XML_HEAD +
    `<styleSheet xmlns="${MAIN_NS}">` +
    `<fonts count="2">${font(false)}${font(true)}</fonts>` +
    '<fills count="2"><fill><patternFill patternType="none"/></fill>' +
    '<fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    // Order must match STYLE.
    `<cellXfs count="4">${xf(0, false)}${xf(1, false)}${xf(0, true)}${xf(1, true)}</cellXfs>` +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
    "</styleSheet>"
  );
}

function sheetXml(rows: ExportRow[]): string {
  const rowsXml = rows.map((row, i) => rowXml(row, i + 1)).join("");
  const cols = columnsXml(rows);
  return (
    XML_HEAD +
    `<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    cols +
    (rowsXml === "" ? "<sheetData/>" : `<sheetData>${rowsXml}</sheetData>`) +
    "</worksheet>"
  );
}

function rowXml(row: ExportRow, rowNumber: number): string {
  // A blank row is just a gap in the row numbers; an empty <row/> element is legal but pointless.
  if (row.cells.length === 0) return "";
  const bold = row.kind === "title" || row.kind === "header" || row.kind === "total";
  const cells = row.cells.map((cell, c) => cellXml(cell, `${columnName(c)}${rowNumber}`, bold)).join("");
  return `<row r="${rowNumber}">${cells}</row>`;
}

function cellXml(cell: ExportCell, ref: string, bold: boolean): string {
  const style = cellStyle(cell, bold);
  const s = style === STYLE.plain ? "" : ` s="${style}"`;
  if (cell.kind === "count") return `<c r="${ref}"${s}><v>${cell.value}</v></c>`;
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${escapeText(cell.text)}</t></is></c>`;
}

function cellStyle(cell: ExportCell, bold: boolean): number {
  if (cell.kind === "hidden") return bold ? STYLE.boldRight : STYLE.right;
  return bold ? STYLE.bold : STYLE.plain;
}

/** Column widths from the header, body and total rows; titles and notes may spill over the empty cells beside. */
function columnsXml(rows: ExportRow[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    if (row.kind === "title" || row.kind === "note") continue;
    row.cells.forEach((cell, c) => {
      widths[c] = Math.max(widths[c] ?? 0, columnWidth(cell));
    });
  }
  if (widths.length === 0) return "";
  const cols = widths.map((w, c) => `<col min="${c + 1}" max="${c + 1}" width="${w}" customWidth="1"/>`);
  return `<cols>${cols.join("")}</cols>`;
}

/**
 * Width in Excel character units (widths of "0" in Calibri 11). Khmer combining marks and the consonant after a
 * coeng (U+17D2, written below the one before) take no width of their own; a Khmer letter is about 1.6 "0"s wide.
 */
function columnWidth(cell: ExportCell): number {
  const text = cell.kind === "count" ? String(cell.value) : cell.text;
  let units = 0;
  let afterCoeng = false;
  for (const char of text) {
    const stacked = afterCoeng;
    afterCoeng = char === "\u17d2";
    if (stacked || /\p{M}/u.test(char)) continue;
    units += /[\u1780-\u17ff]/.test(char) ? 1.6 : 1;
  }
  return Math.min(60, Math.max(8, Math.ceil(units + 2)));
}

/** 0 → "A", 25 → "Z", 26 → "AA". */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/**
 * Text for a <t> element. Excel reads "_xHHHH_" in cell text as an escaped character, so a literal one has its
 * underscore escaped as "_x005F_".
 */
function escapeText(text: string): string {
  return escapeXml(text.replace(/_(x[0-9A-Fa-f]{4}_)/g, "_x005F_$1"));
}

function escapeXml(text: string): string {
  return stripInvalidXml(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** Drops what XML 1.0 cannot carry: control characters other than tab, LF and CR, lone surrogates, U+FFFE/U+FFFF. */
function stripInvalidXml(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "");
}
