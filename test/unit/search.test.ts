import { describe, expect, it } from "vitest";
import { createSearchIndex, stem } from "../../src/knowledge/search.ts";

const docs = [
  {
    id: "id_card",
    titles: ["អត្តសញ្ញាណប័ណ្ណ", "ID card"],
    keywords: ["កាតខ្មែរ"],
    bodies: ["ប័ណ្ណនេះបញ្ជាក់ថាអ្នកជានរណា"],
  },
  { id: "equity", titles: ["ប័ណ្ណសមធម៌", "Equity card"], keywords: ["idpoor"], bodies: ["ប័ណ្ណសម្រាប់គ្រួសារក្រីក្រ"] },
  {
    id: "wages",
    titles: ["ប្រាក់ឈ្នួល", "Wages"],
    keywords: ["minimum wage"],
    bodies: ["ប្រាក់ខែរបស់កម្មករ paid wages"],
  },
  { id: "debt", titles: ["បំណុល", "Debt"], keywords: ["ខ្ចីលុយ"], bodies: ["ជំពាក់លុយ"] },
];
const options = {
  synonyms: [
    ["ប័ណ្ណសមធម៌", "idpoor", "id poor"],
    ["អត្តសញ្ញាណប័ណ្ណ", "id card"],
  ],
  stopwords: ["ខ្ញុំ", "ចង់", "what", "is"],
  threshold: 1,
  minCoverage: 0.5,
  strongScore: 99,
};

describe("search ranking", () => {
  const index = createSearchIndex(docs, options);

  it("matches a compound the segmenter splits, and its synonyms in other scripts", () => {
    expect(index.search("អត្តសញ្ញាណប័ណ្ណ").hits[0]?.id).toBe("id_card");
    expect(index.search("ID Card").hits[0]?.id).toBe("id_card");
    expect(index.search("id poor").hits[0]?.id).toBe("equity");
    expect(index.search("ខ្ញុំចង់បានប័ណ្ណ\u200bសមធម៌").hits[0]?.id).toBe("equity");
  });

  it("stems English words", () => {
    expect(stem("wages")).toBe("wage");
    expect(stem("hitting")).toBe("hit");
    expect(stem("abused")).toBe("abus");
    expect(stem("bus")).toBe("bus");
    expect(stem("stories")).toBe("story");
    expect(index.search("wage").hits[0]?.id).toBe("wages");
  });

  it("splits a Khmer compound the segmenter left whole into words it knows", () => {
    expect(index.search("ជំពាក់បំណុលច្រើន").hits[0]?.id).toBe("debt");
  });

  it("is not confident when most of the question is unknown, and finds nothing for stopwords only", () => {
    expect(index.search("ប្រាក់ឈ្នួល").confident).toBe(true);
    expect(index.search("តម្លៃមាស និងតម្លៃប្រេង ឡានក្រុង ប្រាក់").confident).toBe(false);
    expect(index.termsOf("ខ្ញុំចង់")).toEqual([]);
    expect(index.search("ខ្ញុំចង់")).toEqual({ hits: [], confident: false });
  });

  it("returns at most `limit` hits, best first", () => {
    const { hits } = index.search("ប័ណ្ណ", 2);
    expect(hits.length).toBeLessThanOrEqual(2);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });
});
