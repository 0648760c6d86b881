import ExcelJS from "exceljs";
import { describe, expect, it, vi } from "vitest";
import { exportRows, tablesToCsv, type ExportLabels } from "../../src/programme/csv.ts";
import type { ShownTable, ShownValue } from "../../src/programme/table.ts";
import { cleanSheetName, tablesToXlsx } from "../../src/programme/xlsx.ts";

const n = (value: number): ShownValue => ({ kind: "count", value });
const small: ShownValue = { kind: "hidden", reason: "small" };
const secondary: ShownValue = { kind: "hidden", reason: "secondary" };

const sessions: ShownTable = {
  id: "counselling_sessions",
  title: "វគ្គប្រឹក្សា",
  rowHeading: "ខណ្ឌ",
  rowLabels: ["ខណ្ឌព្រែកព្នៅ", "ខណ្ឌឫស្សីកែវ"],
  columnLabels: ["2026-10", "2026-11"],
  cells: [
    [n(12), small],
    [n(30), n(9)],
  ],
  rowTotals: [secondary, n(39)],
  columnTotals: [n(42), secondary],
  grandTotal: n(1234),
  threshold: 5,
  hidden: { small: 1, secondary: 2 },
};

/** Labels that need quoting or the formula guard. */
const awkward: ShownTable = {
  id: "awkward",
  title: 'Referrals, by "type"',
  rowHeading: '=HYPERLINK("x")',
  rowLabels: ["line one\nline two", "-3", "@cmd", "+1", "\tTab", "a\r\nb"],
  columnLabels: ["Q1"],
  cells: [[n(1)], [n(2)], [n(3)], [n(4)], [n(5)], [n(6)]],
  rowTotals: [n(1), n(2), n(3), n(4), n(5), n(6)],
  columnTotals: [n(21)],
  grandTotal: n(21),
  threshold: 0,
  hidden: { small: 0, secondary: 0 },
};

const labels: ExportLabels = {
  total: "សរុប",
  small: "<5",
  secondary: "×",
  notes: ["<5: ចំនួនតិចជាង 5 ត្រូវបានលាក់។ ×: លាក់ដើម្បីកុំឱ្យគណនាចំនួនតូចបាន។", "បង្កើតនៅ 2026-12-01 09:00"],
};

describe("tablesToCsv", () => {
  it("writes the exact bytes: BOM, CRLF, title, header, rows, totals, blank line, notes", () => {
    const second: ShownTable = { ...sessions, id: "second", title: "ការបញ្ជូន", grandTotal: secondary };
    const expected = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        "វគ្គប្រឹក្សា\r\n" +
          "ខណ្ឌ,2026-10,2026-11,សរុប\r\n" +
          "ខណ្ឌព្រែកព្នៅ,12,<5,×\r\n" +
          "ខណ្ឌឫស្សីកែវ,30,9,39\r\n" +
          "សរុប,42,×,1234\r\n" +
          "\r\n" +
          "ការបញ្ជូន\r\n" +
          "ខណ្ឌ,2026-10,2026-11,សរុប\r\n" +
          "ខណ្ឌព្រែកព្នៅ,12,<5,×\r\n" +
          "ខណ្ឌឫស្សីកែវ,30,9,39\r\n" +
          "សរុប,42,×,×\r\n" +
          "\r\n" +
          "<5: ចំនួនតិចជាង 5 ត្រូវបានលាក់។ ×: លាក់ដើម្បីកុំឱ្យគណនាចំនួនតូចបាន។\r\n" +
          "បង្កើតនៅ 2026-12-01 09:00\r\n",
        "utf8",
      ),
    ]);
    const csv = tablesToCsv([sessions, second], labels);
    expect(csv.equals(expected)).toBe(true);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(csv.subarray(3));
    expect(decoded.split("\r\n")[2]).toBe("ខណ្ឌព្រែកព្នៅ,12,<5,×");
    expect(decoded).toContain("ខណ្ឌឫស្សីកែវ");
  });

  it("writes no blank line at the end when there are no notes", () => {
    const csv = tablesToCsv([sessions], { ...labels, notes: [] }).toString("utf8");
    expect(csv.endsWith("សរុប,42,×,1234\r\n")).toBe(true);
  });

  it("quotes commas, quotes and line breaks, and guards formulas", () => {
    const lines = tablesToCsv([awkward], { ...labels, notes: ["=1+1", "ok, done"] })
      .subarray(3)
      .toString("utf8");
    expect(lines).toBe(
      '"Referrals, by ""type"""\r\n' +
        `"'=HYPERLINK(""x"")",Q1,សរុប\r\n` +
        '"line one\nline two",1,1\r\n' +
        "'-3,2,2\r\n" +
        "'@cmd,3,3\r\n" +
        "'+1,4,4\r\n" +
        "'\tTab,5,5\r\n" +
        '"a\r\nb",6,6\r\n' +
        "សរុប,21,21\r\n" +
        "\r\n" +
        "'=1+1\r\n" +
        '"ok, done"\r\n',
    );
  });

  it("guards a formula in the labels for hidden values too", () => {
    const csv = tablesToCsv([sessions], { ...labels, small: "-", notes: [] }).toString("utf8");
    expect(csv).toContain("ខណ្ឌព្រែកព្នៅ,12,'-,×\r\n");
  });

  it("rejects a table whose cells do not match its labels, and counts that are not whole numbers", () => {
    expect(() => tablesToCsv([{ ...sessions, cells: [[n(1)], [n(2)]] }], labels)).toThrow(/do not match/);
    expect(() => tablesToCsv([{ ...sessions, grandTotal: n(1.5) }], labels)).toThrow(RangeError);
    expect(() => tablesToCsv([{ ...sessions, grandTotal: n(-1) }], labels)).toThrow(RangeError);
  });

  it("writes only the notes when there are no tables", () => {
    expect(exportRows([], labels).map((row) => row.kind)).toEqual(["note", "note"]);
    expect(tablesToCsv([], { ...labels, notes: [] }).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
  });
});

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return workbook;
}

function rowValues(sheet: ExcelJS.Worksheet, rowNumber: number): unknown[] {
  const values = sheet.getRow(rowNumber).values;
  return Array.isArray(values) ? values.slice(1) : [];
}

describe("tablesToXlsx", () => {
  it("reads back with exceljs: numbers as numbers, hidden values as text, Khmer intact", async () => {
    const workbook = await load(tablesToXlsx([sessions, awkward], labels, "កម្មវិធី 2026"));
    expect(workbook.worksheets).toHaveLength(1);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe("កម្មវិធី 2026");

    expect(rowValues(sheet, 1)).toEqual(["វគ្គប្រឹក្សា"]);
    expect(rowValues(sheet, 2)).toEqual(["ខណ្ឌ", "2026-10", "2026-11", "សរុប"]);
    expect(rowValues(sheet, 3)).toEqual(["ខណ្ឌព្រែកព្នៅ", 12, "<5", "×"]);
    expect(rowValues(sheet, 4)).toEqual(["ខណ្ឌឫស្សីកែវ", 30, 9, 39]);
    expect(rowValues(sheet, 5)).toEqual(["សរុប", 42, "×", 1234]);
    expect(typeof sheet.getCell("B3").value).toBe("number");
    expect(sheet.getCell("B3").type).toBe(ExcelJS.ValueType.Number);
    expect(rowValues(sheet, 6)).toEqual([]);

    // The second table: no formula guard in XLSX (inline strings are never formulas), text exactly as given.
    expect(rowValues(sheet, 7)).toEqual(['Referrals, by "type"']);
    expect(rowValues(sheet, 8)).toEqual(['=HYPERLINK("x")', "Q1", "សរុប"]);
    expect(rowValues(sheet, 9)).toEqual(["line one\nline two", 1, 1]);
    expect(rowValues(sheet, 10)).toEqual(["-3", 2, 2]);
    expect(rowValues(sheet, 15)).toEqual(["សរុប", 21, 21]);
    expect(rowValues(sheet, 16)).toEqual([]);
    expect(rowValues(sheet, 17)).toEqual([labels.notes[0]]);
    expect(rowValues(sheet, 18)).toEqual([labels.notes[1]]);
    expect(sheet.rowCount).toBe(18);

    expect(sheet.getCell("A1").font?.bold).toBe(true);
    expect(sheet.getCell("C2").font?.bold).toBe(true);
    expect(sheet.getCell("D5").font?.bold).toBe(true);
    expect(sheet.getCell("A3").font?.bold).toBeFalsy();
    expect(sheet.getCell("C3").alignment?.horizontal).toBe("right");
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual(15);
  });

  it("escapes XML and drops characters XML cannot carry", async () => {
    const tricky: ShownTable = {
      ...sessions,
      title: "A & B <c> \"d\" 'e'\u0000\u0007\uffff end",
      rowLabels: ["x_x0041_y", "ok"],
    };
    const sheet = (await load(tablesToXlsx([tricky], { ...labels, notes: [] }, "s"))).worksheets[0]!;
    expect(sheet.getCell("A1").value).toBe("A & B <c> \"d\" 'e' end");
  });

  it("gives the same bytes for the same tables, whenever it runs", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-01T09:00:00Z"));
    const first = tablesToXlsx([sessions], labels, "Programme");
    vi.setSystemTime(new Date("2031-06-15T17:31:07Z"));
    const second = tablesToXlsx([sessions], labels, "Programme");
    vi.useRealTimers();
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(first[0]).toBe(0x50); // "PK"
    expect(first[1]).toBe(0x4b);
  });

  it("reads back with no tables and no notes", async () => {
    const workbook = await load(tablesToXlsx([], { ...labels, notes: [] }, ""));
    expect(workbook.worksheets[0]?.name).toBe("Sheet1");
    expect(workbook.worksheets[0]?.rowCount).toBe(0);
  });
});

describe("cleanSheetName", () => {
  it.each([
    ["Programme", "Programme"],
    ["a[b]c:d*e?f/g\\h", "abcdefgh"],
    ["'quoted'", "quoted"],
    ["", "Sheet1"],
    ["[]:*?", "Sheet1"],
    ["x".repeat(40), "x".repeat(31)],
    ["របាយការណ៍កម្មវិធីប្រចាំខែតុលា ឆ្នាំ២០២៦", "របាយការណ៍កម្មវិធីប្រចាំខែតុលា"],
    ["របាយការណ៍កម្មវិធីប្រចាំខែវិច្ឆិកា", "របាយការណ៍កម្មវិធីប្រចាំខែ"],
    ["ក".repeat(20) + "ឆ្នាំ".repeat(5), "ក".repeat(20) + "ឆ្នាំ".repeat(2)],
  ])("cleanSheetName(%j) = %j", (input, expected) => {
    const name = cleanSheetName(input);
    expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(31);
  });
});
