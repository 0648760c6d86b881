import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/khmer/normalize.ts";
import { createRomanisedReader } from "../../src/khmer/romanised.ts";

const words = {
  ធ្វើ: ["tver", "tvea", "twer"],
  កាតខ្មែរ: ["kat khmer"],
  នៅណា: ["nov na"],
  ពេទ្យ: ["pet"],
  ទៅ: ["tov"],
};
const read = createRomanisedReader(words, new Set(["pet", "lost", "my", "khmer"]), tokenize);

describe("reading romanised Khmer", () => {
  it("replaces romanised words and phrases by the Khmer words, longest phrase first", () => {
    expect(read(["tver", "kat", "khmer", "nov", "na"])).toEqual([
      ...tokenize("ធ្វើ"),
      ...tokenize("កាតខ្មែរ"),
      ...tokenize("នៅណា"),
    ]);
  });

  it("joins spellings the fold joins (doubled letters, h after a consonant)", () => {
    expect(read(["tveer"])).toEqual(tokenize("ធ្វើ"));
    expect(read(["thvea"])).toEqual(tokenize("ធ្វើ"));
  });

  it("keeps an English word as English in an English message, and reads it as Khmer in a romanised one", () => {
    expect(read(["lost", "my", "pet"])).toEqual(["lost", "my", "pet"]);
    expect(read(["tov", "pet", "nov", "na"])).toEqual([...tokenize("ទៅ"), ...tokenize("ពេទ្យ"), ...tokenize("នៅណា")]);
  });

  it("leaves Khmer tokens, numbers and unknown words alone", () => {
    expect(read(["កាត", "117", "zzz"])).toEqual(["កាត", "117", "zzz"]);
  });

  it("refuses one spelling for two Khmer words", () => {
    expect(() => createRomanisedReader({ ធ្វើ: ["tver"], ទៅ: ["tveer"] }, new Set(), tokenize)).toThrow(/both/);
  });
});
