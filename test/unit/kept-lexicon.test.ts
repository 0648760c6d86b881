/** The danger lexicon kept by the build (src/safety/kept-lexicon.ts). */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keptFiles, useKeptFiles } from "../../src/base/kept-files.ts";
import { decodeLexicon, encodeLexicon, lexiconOf } from "../../src/safety/kept-lexicon.ts";
import { compileLexicon, type ConceptForms, loadConceptForms } from "../../src/safety/lexicon.ts";
import { createDangerClassifier } from "../../src/safety/classifier.ts";
import { loadDangerModel } from "../../src/safety/model.ts";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";

const forms: ConceptForms = {
  hit: { km: ["វាយ", "ធាក់"], en: ["beat", "kick"], rom: ["veay"] },
  self: { km: ["ខ្ញុំ"], en: ["me"], rom: ["knhom", "khnom"] },
};

describe("the kept lexicon", () => {
  const dir = mkdtempSync(join(tmpdir(), "spean-lexicon-"));
  afterEach(() => {
    useKeptFiles(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("decodes to exactly the compiled lexicon, shipped concepts included", () => {
    const shipped = compileLexicon(loadConceptForms(join(PROJECT_ROOT, "flows")));
    expect(decodeLexicon(encodeLexicon(shipped))).toEqual(shipped);
  });

  it("refuses bytes of another format or shape", () => {
    expect(() => decodeLexicon(Buffer.from("{}"))).toThrow(/not a kept lexicon/);
    const valid = JSON.parse(encodeLexicon(compileLexicon(forms)).toString()) as Record<string, unknown>;
    expect(() => decodeLexicon(Buffer.from(JSON.stringify({ ...valid, exact: [["វាយ", [1]]] })))).toThrow();
    expect(() => decodeLexicon(Buffer.from(JSON.stringify({ ...valid, format: "spean-lexicon-0" })))).toThrow();
    expect(() => decodeLexicon(Buffer.from("not json"))).toThrow();
  });

  it("is written by the build's store, read by the built service, and recompiled when the forms change", () => {
    expect(lexiconOf(forms, undefined)).toEqual(compileLexicon(forms));
    useKeptFiles(dir, { write: true });
    lexiconOf(forms);
    const files = readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^lexicon-[0-9a-f]{64}\.json$/)]);
    useKeptFiles(dir);
    expect(keptFiles()?.write).toBeUndefined();
    // The kept file is what is read: an altered (but valid) copy shows through.
    const file = join(dir, files[0] as string);
    const kept = JSON.parse(encodeLexicon(compileLexicon(forms)).toString()) as { maxWords: number };
    writeFileSync(file, JSON.stringify({ ...kept, maxWords: 9 }));
    expect(lexiconOf(forms).maxWords).toBe(9);
    // Other forms have another key, so they are compiled, not read.
    const more = { ...forms, kill: { km: ["សម្លាប់"], en: ["kill"], rom: [] } };
    expect(lexiconOf(more)).toEqual(compileLexicon(more));
  });

  it("costs a compilation, never the service, when the file is damaged", () => {
    useKeptFiles(dir, { write: true });
    lexiconOf(forms);
    const [name] = readdirSync(dir);
    writeFileSync(join(dir, name as string), "not a lexicon");
    useKeptFiles(dir);
    expect(lexiconOf(forms)).toEqual(compileLexicon(forms));
  });

  it("gives the built service's classifier the same outcomes as a compiled one", () => {
    const flows = join(PROJECT_ROOT, "flows");
    const shippedForms = loadConceptForms(flows);
    const model = loadDangerModel(flows);
    const compiled = createDangerClassifier(shippedForms, model);
    useKeptFiles(dir, { write: true });
    createDangerClassifier(shippedForms, model);
    useKeptFiles(dir);
    const kept = createDangerClassifier(shippedForms, model);
    for (const text of ["ប្តីវាយខ្ញុំរាល់យប់", "ptdey veay knhom", "how do I get an ID card", "ក្មេងមិនដកដង្ហើម"])
      expect(kept(text)).toEqual(compiled(text));
  });
});
