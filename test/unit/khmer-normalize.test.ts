import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TOKENIZE_CHARS, normalizeText, tokenize } from "../../src/khmer/normalize.ts";

describe("normalizeText: each rule, with the way residents type", () => {
  it.each([
    ["zero-width spaces, joiners and non-joiners are removed", "ប័ណ្ណ\u200bសម\u200cធម៌\u200d", "ប័ណ្ណសមធម៌"],
    ["Khmer digits become ASCII", "ទូរស័ព្ទ ១២៨០", "ទូរស័ព្ទ 1280"],
    ["digits glued to Khmer are separated", "ម៉ោង៩ព្រឹក", "ម៉ោង 9 ព្រឹក"],
    ["a Latin word glued to Khmer is separated", "ស្នើសុំidpoor", "ស្នើសុំ idpoor"],
    ["Latin is lower-cased", "ID Poor", "id poor"],
    ["coeng DA is folded to coeng TA (បណ្ដុះ / បណ្តុះ)", "បណ្ដុះបណ្ដាល", "បណ្តុះបណ្តាល"],
    ["coeng RO is moved after the other subscript (ស្រ្តី / ស្ត្រី)", "ស្រ្តី", "ស្ត្រី"],
    ["ត្រឡប់ is folded to ត្រលប់", "ត្រឡប់ក្រោយ", "ត្រលប់ក្រោយ"],
    ["ច័ន្ទ is folded to ចន្ទ", "ថ្ងៃច័ន្ទ", "ថ្ងៃចន្ទ"],
    ["ឱ្យ and អោយ are folded to ឲ្យ", "ឱ្យខ្ញុំ អោយគាត់", "ឲ្យខ្ញុំ ឲ្យគាត់"],
    ["ប័ណ typed without its subscript is folded to ប័ណ្ណ", "ប័ណក្រីក្រ ប័ណ្ណសមធម៌", "ប័ណ្ណក្រីក្រ ប័ណ្ណសមធម៌"],
    ["the repetition mark is dropped", "ផ្សេងៗ", "ផ្សេង"],
    ["the repetition mark ends a word: it never joins its neighbours into an abbreviation", "ក.ៗក", "ក. ក"],
    ["a dotted abbreviation becomes one word", "លេខទូរស័ព្ទប.ស.ស", "លេខទូរស័ព្ទ បសស"],
    ["NFC composition", "e\u0301", "\u00e9"],
    ["whitespace is folded and trimmed", "  លិខិត \n\t ឆ្លងដែន  ", "លិខិត ឆ្លងដែន"],
  ])("%s", (_rule, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it("lone surrogates become U+FFFD instead of throwing", () => {
    expect(normalizeText("a\ud800b")).toBe("a\ufffdb");
  });
});

describe("tokenize", () => {
  it("splits Khmer typed without spaces into words", () => {
    expect(tokenize("លិខិតឆ្លងដែនត្រូវការឯកសារអ្វីខ្លះ")).toEqual(["លិខិតឆ្លងដែន", "ត្រូវការ", "ឯកសារ", "អ្វីខ្លះ"]);
  });

  it("drops punctuation, symbols and emoji", () => {
    expect(tokenize("ប័ណ្ណសមធម៌? 🙂 !!! ។")).toEqual(["ប័ណ្ណ", "សមធម៌"]);
  });

  it("keeps numbers as ASCII tokens", () => {
    expect(tokenize("ប្រាក់ខែ២១០ដុល្លារ")).toContain("210");
  });

  it("bounds the work on a huge message", () => {
    expect(tokenize("ក".repeat(50_000)).join("").length).toBeLessThanOrEqual(MAX_TOKENIZE_CHARS);
  });
});

describe("properties", () => {
  const khmerishUnits = "កខគឃងចឆជញដណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើឿៀេែៃោៅំះ់៉៊័្ៗ៖។០១២៣៤៥៦៧៨៩ .\u200b\u200cabcXYZ09🙂";
  const khmerish = fc.string({
    unit: fc.constantFrom(...khmerishUnits),
  });
  const anything = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), khmerish);

  it("normalisation is idempotent", () => {
    fc.assert(
      fc.property(anything, (s) => normalizeText(normalizeText(s)) === normalizeText(s)),
      { numRuns: 500 },
    );
  });

  it("never throws, whatever the input (lone surrogates, emoji, 10,000 characters)", () => {
    fc.assert(
      fc.property(anything, (s) => {
        tokenize(s);
        normalizeText(s);
      }),
      { numRuns: 500 },
    );
    expect(() => tokenize("\udc00\ud800🙂".repeat(3400))).not.toThrow();
  });

  it("tokens are never empty and never contain spaces", () => {
    fc.assert(
      fc.property(anything, (s) => tokenize(s).every((t) => t.length > 0 && !/\s/.test(t))),
      { numRuns: 300 },
    );
  });
});
