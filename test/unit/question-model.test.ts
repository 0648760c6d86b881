import { describe, expect, it } from "vitest";
import { createLiveSearchIndex } from "../../src/knowledge/live-index.ts";
import { createQuestionModel, NO_ARTICLE } from "../../src/knowledge/question-model.ts";
import { fitChoice } from "../../src/knowledge/confidence.ts";
import {
  type AnswerRule,
  answerOf,
  choicesOf,
  createSearchIndex,
  DEFAULT_CHOICE_MODEL,
  DEFAULT_CONFIDENCE_MODEL,
  type Readings,
  type SearchOptions,
} from "../../src/knowledge/search.ts";

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

describe("when the index and the question model disagree", () => {
  // The index reads "deposit" in the renting article's body (example questions weigh almost nothing here); the model
  // learnt "uniform deposit" from the school article's examples.
  const index = (choice: Partial<AnswerRule>) =>
    createSearchIndex(
      [
        { ...docs[0]!, bodies: ["ប្រាក់កក់ deposit"], examples: ["ម្ចាស់ផ្ទះមិនឲ្យប្រាក់កក់វិញ"] },
        { ...docs[1]!, examples: ["deposit for school uniform", "school deposit fee", "uniform deposit"] },
      ],
      { outOfScope: ["ម្ចាស់ហាងលក់ទូរស័ព្ទ"], weights: { example: 0.01 }, ...choice },
    );
  // A choice model that goes by the question model's probability alone.
  const byProbability = { ...DEFAULT_CHOICE_MODEL, bias: -2, probability: 6, logScore: 0, coverage: 0, margin: 0 };

  it("reads both best articles, the model's behind the index's", () => {
    const r = index({}).readings("uniform deposit");
    expect(r.index?.id).toBe("renting");
    expect(r.modelPick).toMatchObject({ id: "school" });
    expect(r.modelPick!.signals.margin).toBeLessThan(0);
    expect(choicesOf(r).map((c) => c.id)).toEqual(["renting", "school"]);
  });

  it("answers with the likelier of the two when the choice model is sure enough, and puts it first", () => {
    const sure = index({ choiceModel: { ...byProbability, logWords: 0, noArticle: 0 }, minChoice: 0.9 });
    expect(sure.search("uniform deposit", 2)).toMatchObject({
      confident: true,
      hits: [{ id: "school" }, { id: "renting" }],
    });
  });

  it("says not sure below the bar", () => {
    const unsure = index({ choiceModel: { ...byProbability, logWords: 0, noArticle: 0 }, minChoice: 0.999 });
    expect(unsure.search("uniform deposit", 2)).toMatchObject({
      confident: false,
      hits: [{ id: "renting" }, { id: "school" }],
    });
  });
});

describe("the answer rule", () => {
  const signals = { probability: 0.9, score: 5, coverage: 1, margin: 0.8, words: 3 };
  const rule: AnswerRule = {
    confidenceModel: DEFAULT_CONFIDENCE_MODEL,
    minConfidence: 0.5,
    choiceModel: DEFAULT_CHOICE_MODEL,
    minChoice: 0.5,
  };
  const agreed: Readings = {
    named: [],
    index: { id: "a", signals },
    model: { label: "a", probability: 0.9 },
    noArticle: 0.01,
  };

  it("gives an agreed article when the agreement model is sure enough, and never asks the choice model", () => {
    expect(answerOf(agreed, rule)).toBe("a");
    expect(answerOf(agreed, { ...rule, minConfidence: 1 })).toBeUndefined();
    expect(choicesOf(agreed)).toEqual([]);
  });

  it("gives an article asked by name whatever the models say", () => {
    expect(
      answerOf({ ...agreed, named: ["b"], model: { label: "c", probability: 1 } }, { ...rule, minChoice: 1 }),
    ).toBe("b");
  });

  it("weighs a disagreement: the likelier article, and nothing when the model expects no article", () => {
    const weak = { probability: 0.05, score: 0.5, coverage: 0.3, margin: -0.7, words: 3 };
    const disagree: Readings = {
      named: [],
      index: { id: "a", signals: { ...signals, probability: 0.05, coverage: 0.5, margin: 0.1 } },
      model: { label: "b", probability: 0.9 },
      modelPick: { id: "b", signals: { ...signals, margin: -0.2 } },
      noArticle: 0.02,
    };
    expect(answerOf(disagree, rule)).toBe("b");
    const indexLikelier = { ...disagree, index: { id: "a", signals }, modelPick: { id: "b", signals: weak } };
    expect(answerOf(indexLikelier, rule)).toBe("a");
    expect(answerOf({ ...disagree, noArticle: 0.95 }, rule)).toBeUndefined();
  });

  it("fits a choice model whose chance rises with the question model's probability", () => {
    const example = (probability: number, right: boolean) => ({
      signals: { probability, score: 1, coverage: 0.5, margin: 0, words: 3, noArticle: 0.1 },
      right,
    });
    const model = fitChoice([example(0.9, true), example(0.8, true), example(0.2, false), example(0.1, false)]);
    expect(model.probability).toBeGreaterThan(0);
    // With nothing to learn from, every weight is 0: a chance of one half, never NaN.
    expect(Object.values(fitChoice([]))).toEqual([0, 0, 0, 0, 0, 0, 0]);
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

  it("builds in slices with the event loop free between them, and answers as the index built at once", async () => {
    // Enough example questions for the build to take many steps.
    const many = docs.map((d) => ({
      ...d,
      examples: Array.from({ length: 400 }, (_, i) => `${[...d.titles, ...d.keywords][i % 4]} ${d.bodies[0]} ${i}`),
    }));
    const live = createLiveSearchIndex(many, {});
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    await live.prepare(0);
    counting = false;
    expect(turns).toBeGreaterThan(10);
    const atOnce = createSearchIndex(many, {});
    for (const question of ["landlord", "សាលារៀន", "ប្រាក់កក់ 12"]) {
      expect(live.search(question, 3)).toEqual(atOnce.search(question, 3));
    }
  });

  it("refreshIfChanged: the same wordings in another order rebuild nothing; a changed one is searchable", () => {
    // Each build of the index reads its options once: counting reads counts builds.
    let builds = 0;
    const counted: SearchOptions = {
      get minChoice() {
        builds += 1;
        return undefined;
      },
    };
    const taught = [
      { articleId: "school", wording: "ក្រដាសខៀវ" },
      { articleId: "renting", wording: "ផ្ទះល្វែង" },
    ];
    const live = createLiveSearchIndex(docs, counted, taught);
    expect(live.search("ក្រដាសខៀវ", 1)).toMatchObject({ confident: true, hits: [{ id: "school" }] });
    const built = builds;
    expect(built).toBeGreaterThan(0);
    expect(live.refreshIfChanged([...taught].reverse())).toBe(false);
    expect(live.refreshIfChanged(taught.map((w) => ({ ...w })))).toBe(false);
    expect(live.search("ក្រដាសខៀវ", 1)).toMatchObject({ confident: true, hits: [{ id: "school" }] });
    expect(builds).toBe(built);

    // Another instance approved one more wording and moved one to another article.
    const changed = [
      { articleId: "renting", wording: "ផ្ទះល្វែង" },
      { articleId: "renting", wording: "ក្រដាសខៀវ" },
    ];
    expect(live.refreshIfChanged(changed)).toBe(true);
    expect(builds).toBeGreaterThan(built);
    expect(live.search("ក្រដាសខៀវ", 1)).toMatchObject({ confident: true, hits: [{ id: "renting" }] });
    // Now up to date: the same again rebuilds nothing; a removal rebuilds.
    const afterChange = builds;
    expect(live.refreshIfChanged([...changed].reverse())).toBe(false);
    expect(builds).toBe(afterChange);
    expect(live.refreshIfChanged([])).toBe(true);
    expect(live.search("ក្រដាសខៀវ", 1).confident).toBe(false);
  });

  it("refreshIfChanged after refresh compares with what refresh built", () => {
    const live = createLiveSearchIndex(docs, {});
    expect(live.refreshIfChanged([])).toBe(false);
    live.refresh([{ articleId: "school", wording: "ក្រដាសខៀវ" }]);
    expect(live.refreshIfChanged([{ articleId: "school", wording: "ក្រដាសខៀវ" }])).toBe(false);
    expect(live.refreshIfChanged([])).toBe(true);
  });

  it("ignores a wording for an article that no longer exists", () => {
    const live = createLiveSearchIndex(docs, {}, [{ articleId: "gone", wording: "ក្រដាសខៀវ" }]);
    expect(live.size).toBe(2);
    expect(live.search("ក្រដាសខៀវ", 1).confident).toBe(false);
  });
});
