import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarDateIn } from "../../src/base/calendar-date.ts";
import { parseDayMonthYear } from "../../src/khmer/dates.ts";
import { localDigits, parseWholeNumber, toKhmerDigits, toLatinDigits } from "../../src/khmer/digits.ts";
import { parseCambodianPhone } from "../../src/khmer/phone.ts";
import { normalizeForMatch } from "../../src/khmer/text.ts";

describe("Khmer digits", () => {
  it.each([
    ["០១២៣៤៥៦៧៨៩", "0123456789"],
    ["ម៉ោង៩:៣០", "ម៉ោង9:30"],
    ["abc", "abc"],
    ["", ""],
  ])("toLatinDigits(%j) = %j", (input, expected) => expect(toLatinDigits(input)).toBe(expected));

  it("round-trips every number", () => {
    fc.assert(fc.property(fc.nat(), (n) => toLatinDigits(toKhmerDigits(String(n))) === String(n)));
  });

  it.each([
    ["១២", 12],
    ["12", 12],
    [" ១ ២០០ ", 1200],
    ["1,200", 1200],
    ["-3", undefined],
    ["1.5x", undefined],
    ["", undefined],
    ["១២៣៤៥៦៧៨៩០១២៣៤៥៦", undefined],
  ])("parseWholeNumber(%j) = %j", (input, expected) => expect(parseWholeNumber(input)).toBe(expected));

  it("writes prose numbers in Khmer digits for km only", () => {
    expect(localDigits("km", 90)).toBe("៩០");
    expect(localDigits("en", 90)).toBe("90");
  });
});

describe("Cambodian phone numbers", () => {
  it.each([
    ["012 345 678", "012345678"],
    ["០១២ ៣៤៥ ៦៧៨", "012345678"],
    ["+855 12 345 678", "012345678"],
    ["+855 012-345-678", "012345678"],
    ["855 97 123 4567", "0971234567"],
    ["(023) 864 201", "023864201"],
    ["0969 123 456", "0969123456"],
  ])("accepts %j as %j", (input, expected) => expect(parseCambodianPhone(input)).toBe(expected));

  it.each(["117", "1280", "12345678", "012 345 67", "0012345678", "hello", "", "+66 2 957 5851", "012 345 678 901"])(
    "rejects %j",
    (input) => expect(parseCambodianPhone(input)).toBeUndefined(),
  );
});

describe("typed dates", () => {
  it.each([
    ["១៥/១២/២០២៦", { year: 2026, month: 12, day: 15 }],
    ["15-12", { year: 2026, month: 12, day: 15 }],
    ["29.02.28", { year: 2028, month: 2, day: 29 }],
  ])("parses %j", (input, expected) => expect(parseDayMonthYear(input, 2026)).toEqual(expected));

  it.each(["31/02/2026", "29/02/2026", "0/1", "12/13", "tomorrow", ""])("rejects %j", (input) =>
    expect(parseDayMonthYear(input, 2026)).toBeUndefined(),
  );

  it("knows the date in Phnom Penh (UTC+7)", () => {
    expect(calendarDateIn(new Date("2026-11-21T18:30:00Z"))).toEqual({ year: 2026, month: 11, day: 22 });
  });
});

describe("normalizeForMatch", () => {
  it("removes zero-width characters, folds spaces, makes digits ASCII and Latin lower-case", () => {
    expect(normalizeForMatch("\u200bអត្ត\u200bសញ្ញាណ  ប័ណ្ណ ID Poor ១២")).toBe("អត្តសញ្ញាណ ប័ណ្ណ id poor 12");
  });

  it("reads a zero-width space between romanised words as a space, not as nothing", () => {
    expect(normalizeForMatch("ke\u200bjak sor\u200bbontub")).toBe("ke jak sor bontub");
    expect(normalizeForMatch("ញុំ\u200bនៅ\u200bcamp\u200bថៃ")).toBe("ញុំនៅ camp ថៃ");
  });

  it("never throws and is idempotent on arbitrary text, lone surrogates and 10k characters included", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: "grapheme", maxLength: 200 }),
    );
    fc.assert(fc.property(anyText, (s) => normalizeForMatch(normalizeForMatch(s)) === normalizeForMatch(s)));
    expect(normalizeForMatch("\ud800x\udc00")).toBe("\ufffdx\ufffd");
    expect(normalizeForMatch("ក".repeat(10_000))).toHaveLength(10_000);
  });
});
