/**
 * The knowledge search measured on its labelled questions (test/fixtures/search-eval/): the test split must meet
 * SEARCH_FLOORS, the set must be large and varied enough to mean something, and it must stay split as
 * searchSplitOf says (so nobody moves a hard test question into train).
 */
import { describe, expect, it } from "vitest";
import { SPLITS } from "../../src/base/split.ts";
import { loadContent, PROJECT_ROOT } from "../../src/content/load.ts";
import { articleBesideDanger } from "../../src/knowledge/beside-danger.ts";
import { dangerMisanswered, dangerOffers, evaluateSearch, share } from "../../src/knowledge/evaluate.ts";
import { OUT_OF_SCOPE, readSearchSplit, searchSplitOf } from "../../src/knowledge/eval-set.ts";
import { SEARCH_FLOORS } from "../../src/knowledge/search.ts";
import { readSplit } from "../../src/safety/corpus.ts";

const content = loadContent(() => ({}));
const splits = Object.fromEntries(SPLITS.map((s) => [s, readSearchSplit(PROJECT_ROOT, s)])) as Record<
  (typeof SPLITS)[number],
  ReturnType<typeof readSearchSplit>
>;
const all = SPLITS.flatMap((s) => splits[s]);

describe("the search evaluation set", () => {
  it("has at least 600 questions, 100 of them out of scope, and at least five for every article", () => {
    expect(all.length).toBeGreaterThanOrEqual(600);
    expect(all.filter((q) => q.a === OUT_OF_SCOPE).length).toBeGreaterThanOrEqual(100);
    const report = evaluateSearch(all, content.knowledge, content.searchIndex, content.classifyDanger, 5);
    expect(report.thinArticles).toEqual([]);
    expect(report.unknownLabels).toEqual([]);
  });

  it("has Khmer, English, romanised and mixed questions in the test split", () => {
    for (const lang of ["km", "en", "roman", "mixed"])
      expect(splits.test.filter((q) => q.lang === lang).length).toBeGreaterThanOrEqual(15);
  });

  it("is split once, by the text alone: no question in two splits, each where searchSplitOf puts it", () => {
    const texts = all.map((q) => q.q);
    expect(new Set(texts).size).toBe(texts.length);
    for (const split of ["dev", "test"] as const)
      expect(splits[split].every((q) => q.by !== "tuned" && searchSplitOf(q.q) === split)).toBe(true);
    expect(splits.train.every((q) => q.by === "tuned" || searchSplitOf(q.q) === "train")).toBe(true);
  });

  it("gives the search the dev split as examples (examples-dev.yaml) and never a test question", () => {
    const { dev } = content.knowledge;
    const devExamples = [...Object.values(dev.examples).flat(), ...dev.outOfScope];
    expect(devExamples.sort()).toEqual(splits.dev.map((q) => q.q).sort());
    const learnt = new Set([
      ...devExamples,
      ...Object.values(content.knowledge.examples).flat(),
      ...content.knowledge.outOfScope,
    ]);
    expect(splits.test.filter((q) => learnt.has(q.q))).toEqual([]);
  });
});

describe("the search on the test split (npm run eval:search)", () => {
  const report = evaluateSearch(splits.test, content.knowledge, content.searchIndex, content.classifyDanger);

  it(`answers at least ${Math.round(SEARCH_FLOORS.right * 100)}% of questions with the right article`, () => {
    expect(share(report.inScope, "right")).toBeGreaterThanOrEqual(SEARCH_FLOORS.right);
  });

  it(`gives a wrong article to at most ${Math.round(SEARCH_FLOORS.wrong * 100)}% of questions`, () => {
    expect(share(report.inScope, "wrong")).toBeLessThanOrEqual(SEARCH_FLOORS.wrong);
  });

  const notSureFloor = Math.round(SEARCH_FLOORS.outOfScopeNotSure * 100);
  it(`answers "not sure" to at least ${notSureFloor}% of out-of-scope questions`, () => {
    expect(share(report.outOfScope, "none")).toBeGreaterThanOrEqual(SEARCH_FLOORS.outOfScopeNotSure);
  });

  it("answers at most 1% of danger messages with an article outside the safety and trafficking topics", () => {
    const danger = readSplit(PROJECT_ROOT, "test").filter((e) => e.label === "danger");
    const result = dangerMisanswered(
      danger.map((e) => e.text),
      content.knowledge,
      content.searchIndex,
      content.classifyDanger,
    );
    expect(result.misanswered.length).toBeLessThanOrEqual(Math.floor(danger.length * 0.01));
  });
});

describe("a question taken for danger: the article beside the emergency screen", () => {
  const alwaysDanger = () => ({ outcome: "danger" as const, probability: 1, reasons: [] });
  const childBeaten = "ក្មេងត្រូវគេធ្វើបាប ប្ដឹងណា";
  const idCard = "ធ្វើអត្តសញ្ញាណប័ណ្ណថ្មីត្រូវការអ្វីខ្លះ";

  it("is offered only for articles marked beside_danger, and only when the search is sure", () => {
    expect(content.searchIndex.search(idCard, 1)).toMatchObject({ confident: true, hits: [{ id: "id_card" }] });
    expect(articleBesideDanger(content.searchIndex, content.knowledge, idCard)).toBeUndefined();
    expect(articleBesideDanger(content.searchIndex, content.knowledge, childBeaten)).toBe("child_protection");
    expect(articleBesideDanger(content.searchIndex, content.knowledge, "ជួយផង")).toBeUndefined();
  });

  it("counts as right (and beside danger) when it is the question's article, wrong when it is another", () => {
    const report = evaluateSearch(
      [
        { q: childBeaten, a: "child_protection", lang: "km", by: "unit" },
        { q: childBeaten, a: "domestic_violence", lang: "km", by: "unit" },
        { q: idCard, a: "id_card", lang: "km", by: "unit" },
      ],
      content.knowledge,
      content.searchIndex,
      alwaysDanger,
    );
    expect(report.inScope).toMatchObject({ right: 1, wrong: 1, diverted: 1, rightBesideDanger: 1 });
  });

  it("on the test split's danger messages, offers only articles marked beside_danger", () => {
    const danger = readSplit(PROJECT_ROOT, "test").filter((e) => e.label === "danger");
    const { screened, offered } = dangerOffers(
      danger.map((e) => e.text),
      content.knowledge,
      content.searchIndex,
      content.classifyDanger,
    );
    expect(screened).toBeGreaterThan(0);
    for (const id of offered.keys()) expect(content.knowledge.articles.get(id)?.beside_danger).toBe(true);
  });
});
