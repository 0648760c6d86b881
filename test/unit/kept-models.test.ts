/** Question models kept by the build (src/knowledge/kept-models.ts) and how the search uses them. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  decodeQuestionModel,
  encodeQuestionModel,
  keptQuestionModels,
  type KeptQuestionModels,
} from "../../src/knowledge/kept-models.ts";
import { useKeptFiles } from "../../src/base/kept-files.ts";
import { NO_ARTICLE, questionModelOver, trainQuestionModel } from "../../src/knowledge/question-model.ts";
import { createSearchIndex, type SearchDocument } from "../../src/knowledge/search.ts";
import type { QuestionModelParts } from "../../src/knowledge/question-model.ts";

const examples = [
  { label: "rent", features: ["w:rent", "w:landlord", "#<ជួ"] },
  { label: "rent", features: ["w:landlord", "w:room"], weight: 2 },
  { label: "school", features: ["w:school", "w:child", "w:enrol"] },
  { label: NO_ARTICLE, features: ["w:football", "w:match"] },
];

const docs: SearchDocument[] = [
  {
    id: "renting",
    titles: ["ជួលផ្ទះ", "Renting a room"],
    keywords: ["ម្ចាស់ផ្ទះ", "landlord"],
    bodies: ["ប្រាក់កក់"],
    examples: ["ម្ចាស់ផ្ទះដំឡើងថ្លៃជួល", "landlord wants more rent"],
  },
  {
    id: "school",
    titles: ["ចុះឈ្មោះចូលរៀន", "School"],
    keywords: ["សាលារៀន", "school"],
    bodies: ["កូន"],
    examples: ["ចុះឈ្មោះកូនចូលរៀនថ្នាក់ទី១"],
  },
];

/** A store in memory that records what the search asked of it. */
function memoryStore(): KeptQuestionModels & { kept: Map<string, QuestionModelParts>; loads: string[] } {
  const kept = new Map<string, QuestionModelParts>();
  const loads: string[] = [];
  return {
    kept,
    loads,
    load: (key) => (loads.push(key), kept.get(key)),
    save: (key, parts) => void kept.set(key, parts),
  };
}

describe("a kept question model", () => {
  it("answers exactly as the model it was encoded from", () => {
    const parts = trainQuestionModel(examples);
    const decoded = decodeQuestionModel(encodeQuestionModel(parts));
    expect(decoded).toEqual(parts);
    for (const question of [["w:landlord"], ["w:child", "w:room"], ["w:match"], ["w:unknown"]]) {
      const [trained, kept] = [questionModelOver(parts), questionModelOver(decoded)].map((m) => m.rank(question));
      expect(kept?.best).toEqual(trained?.best);
      expect(kept?.probability("school")).toBe(trained?.probability("school"));
    }
  });

  it("refuses bytes of another format, cut short or with bytes left over", () => {
    const bytes = encodeQuestionModel(trainQuestionModel(examples));
    const otherFormat = Buffer.from(bytes);
    otherFormat.write("spean-question-model-9", otherFormat.indexOf("spean-question-model-1"));
    expect(() => decodeQuestionModel(otherFormat)).toThrow(/format/);
    expect(() => decodeQuestionModel(bytes.subarray(0, bytes.length - 3))).toThrow(/cut short/);
    expect(() => decodeQuestionModel(Buffer.concat([bytes, Buffer.alloc(4)]))).toThrow(/left over/);
  });
});

describe("the search with kept models", () => {
  it("trains and keeps the model once, then loads it for the same inputs and answers the same", () => {
    const store = memoryStore();
    const first = createSearchIndex(docs, { keptModels: store });
    expect(first.questionModel).toBe("trained");
    expect(store.kept.size).toBe(1);
    const second = createSearchIndex(docs, { keptModels: { load: store.load } });
    expect(second.questionModel).toBe("kept");
    expect(store.loads[1]).toBe(store.loads[0]);
    for (const question of ["landlord wants more rent", "ចុះឈ្មោះកូនចូលរៀន", "football tonight"])
      expect(second.search(question)).toEqual(first.search(question));
  });

  it("trains again when anything it learns from changes (a taught wording, an out-of-scope question)", () => {
    const store = memoryStore();
    createSearchIndex(docs, { keptModels: store });
    const taught = docs.map((d) => (d.id === "school" ? { ...d, keywords: [...d.keywords, "រៀនថ្នាក់ទី១"] } : d));
    expect(createSearchIndex(taught, { keptModels: store }).questionModel).toBe("trained");
    expect(createSearchIndex(docs, { keptModels: store, outOfScope: ["football"] }).questionModel).toBe("trained");
    expect(new Set(store.loads).size).toBe(3);
  });

  it("trains without a store, as source runs and tests do", () => {
    expect(createSearchIndex(docs).questionModel).toBe("trained");
  });
});

describe("kept models on disk", () => {
  const dir = mkdtempSync(join(tmpdir(), "spean-kept-"));
  afterEach(() => {
    useKeptFiles(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("are written only by a store set to write (the build) and read by any (the built service)", () => {
    expect(keptQuestionModels()).toBeUndefined();
    useKeptFiles(dir, { write: true });
    createSearchIndex(docs, { keptModels: keptQuestionModels() });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.bin$/);
    useKeptFiles(dir);
    expect(keptQuestionModels()?.save).toBeUndefined();
    expect(createSearchIndex(docs, { keptModels: keptQuestionModels() }).questionModel).toBe("kept");
  });

  it("cost a training, never the service, when the file is damaged", () => {
    useKeptFiles(dir, { write: true });
    createSearchIndex(docs, { keptModels: keptQuestionModels() });
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file as string), "not a model");
    useKeptFiles(dir);
    const index = createSearchIndex(docs, { keptModels: keptQuestionModels() });
    expect(index.questionModel).toBe("trained");
    expect(index.search("landlord").hits[0]?.id).toBe("renting");
  });
});
