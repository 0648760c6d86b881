/**
 * Latin words typed without spaces (src/safety/run-together.ts): cut into the lexicon's words when most of the run
 * is known words, left alone otherwise; and the classifier then reads them like spaced words.
 */
import { describe, expect, it } from "vitest";
import { loadContent } from "../../src/content/load.ts";
import { splitRunTogether } from "../../src/safety/run-together.ts";

const vocabulary = new Set(["my", "husband", "hit", "me", "now", "knhom", "chong", "slap", "help", "please"]);

describe("words typed without spaces", () => {
  it("cuts a run of known words, keeping an unknown letter or two as a word of its own", () => {
    expect(splitRunTogether(["myhusbandhitmenow"], vocabulary)).toEqual(["my", "husband", "hit", "me", "now"]);
    expect(splitRunTogether(["knhomchongslapx"], vocabulary)).toEqual(["knhom", "chong", "slap", "x"]);
  });

  it("leaves short words, known words, mixed scripts and runs that are mostly unknown (names, codes) alone", () => {
    expect(splitRunTogether(["helpme"], vocabulary)).toEqual(["helpme"]); // under 12 letters
    const kept = ["sreypichchanthoeun", "abc123def456ghi", "ខ្ញុំ", "pleasehelpsreypichvannak"];
    expect(splitRunTogether(kept, vocabulary)).toEqual(kept);
  });

  it("the classifier reads a danger message typed without spaces, in English or romanised Khmer", () => {
    const { classifyDanger } = loadContent(() => ({ retention_days: 90 }));
    for (const text of [
      "pleasehelpmyhusbandisbeatingmenow",
      "ptdeyvaykhnhomlovnisjuoyphong",
      "iwanttokillmyselftonight",
    ])
      expect(classifyDanger(text).outcome, text).toBe("danger");
    expect(classifyDanger("myphonescreenisbrokenwheretofixit").outcome).toBe("none");
  });
});
