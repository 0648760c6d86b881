import { describe, expect, it } from "vitest";
import { createLiveSearchIndex } from "../../src/knowledge/live-index.ts";
import { createQuestionModel, NO_ARTICLE } from "../../src/knowledge/question-model.ts";
import { createSearchIndex } from "../../src/knowledge/search.ts";

describe("the question model", () => {
  const examples = [
    { label: "rent", features: ["w:rent", "w:landlord", "w:deposit"] },
    { label: "rent", features: ["w:landlord", "w:room"] },
    { label: "school", features: ["w:school", "w:child", "w:enrol"] },
    { label: NO_ARTICLE, features: ["w:football", "w:match"] },
  ];
  const model = createQuestionModel(examples);

  it("prefers the label whose examples share the question's features, with probabilities summing to 1", () => {
    const opinion = model.rank(["w:landlord", "w:deposit"]);
    expect(opinion.best?.label).toBe("rent");
    const total = ["rent", "school", NO_ARTICLE].reduce((sum, l) => sum + opinion.probability(l), 0);
    expect(total).toBeCloseTo(1, 6);
    expect(opinion.probability("rent")).toBeGreaterThan(opinion.probability("school"));
  });

  it("learns what not to answer", () => {
    expect(model.rank(["w:football"]).best?.label).toBe(NO_ARTICLE);
  });

  it("trains the same model from the same examples (a fixed shuffle)", () => {
    const again = createQuestionModel(examples);
    expect(again.rank(["w:room", "w:child"]).probability("rent")).toBe(
      model.rank(["w:room", "w:child"]).probability("rent"),
    );
  });

  it("ignores features no example had, and gives an unknown label probability 0", () => {
    expect(model.rank(["w:zzz", "w:school"]).best?.label).toBe("school");
    expect(model.rank(["w:school"]).probability("nothing")).toBe(0);
  });
});

const docs = [
  { id: "renting", titles: ["ជួលផ្ទះ", "Renting a room"], keywords: ["ម្ចាស់ផ្ទះ", "landlord"], bodies: ["ប្រាក់កក់"] },
  { id: "school", titles: ["ចុះឈ្មោះចូលរៀន", "School"], keywords: ["សាលារៀន", "school"], bodies: ["កូន"] },
];

describe("the search's confidence rule", () => {
  it("answers a question asked by an article's name", () => {
    const index = createSearchIndex(docs);
    expect(index.search("landlord", 1)).toMatchObject({ confident: true, hits: [{ id: "renting" }] });
  });

  it("says not sure when most of the question is words no article uses", () => {
    const index = createSearchIndex(docs);
    expect(index.search("landlord football match tonight stadium", 1).confident).toBe(false);
  });

  it("learns from example questions and out-of-scope examples", () => {
    const index = createSearchIndex(
      [
        { ...docs[0]!, examples: ["ម្ចាស់ផ្ទះមិនឲ្យប្រាក់កក់វិញ"] },
        { ...docs[1]!, examples: ["កូនចូលរៀនថ្នាក់ទីមួយ"] },
      ],
      { outOfScope: ["ម្ចាស់ហាងលក់ទូរស័ព្ទ"] },
    );
    expect(index.readings("ប្រាក់កក់មិនឲ្យវិញ").model?.label).toBe("renting");
  });

  it("reads a word it never saw by its letters: a misspelling leans to the article of the word it resembles", () => {
    const index = createSearchIndex(docs, { outOfScope: ["ម្ចាស់ហាងលក់ទូរស័ព្ទ"] });
    // សាលាររៀន (one letter doubled) is in no article; its trigrams are សាលារៀន's.
    expect(index.readings("សាលាររៀន").model?.label).toBe("school");
  });
});

describe("the live index", () => {
  it("uses approved wordings after a refresh, and forgets removed ones", () => {
    const live = createLiveSearchIndex(docs, {});
    expect(live.search("ក្រដាសខៀវ", 1).confident).toBe(false);
    live.refresh([{ articleId: "school", wording: "ក្រដាសខៀវ" }]);
    expect(live.search("ក្រដាសខៀវ", 1)).toMatchObject({ confident: true, hits: [{ id: "school" }] });
    live.refresh([]);
    expect(live.search("ក្រដាសខៀវ", 1).confident).toBe(false);
  });

  it("ignores a wording for an article that no longer exists", () => {
    const live = createLiveSearchIndex(docs, {}, [{ articleId: "gone", wording: "ក្រដាសខៀវ" }]);
    expect(live.size).toBe(2);
    expect(live.search("ក្រដាសខៀវ", 1).confident).toBe(false);
  });
});
