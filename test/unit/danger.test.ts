/**
 * The danger detector on the fixture of messages that must trigger it and messages that must not (at least 60 of
 * each), with the real phrase lists from flows/safety/danger.yaml.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { createDangerDetector, loadDangerPhrases } from "../../src/safety/danger.ts";

type Messages = { km: string[]; en: string[] };
const fixture = parse(readFileSync(join(PROJECT_ROOT, "test", "fixtures", "danger-messages.yaml"), "utf8")) as { danger: Messages; ordinary: Messages };
const isDanger = createDangerDetector(loadDangerPhrases(join(PROJECT_ROOT, "flows")));
const all = (m: Messages) => [...m.km, ...m.en];

describe("danger detector", () => {
  it("has at least 60 danger and 60 ordinary messages to check", () => {
    expect(all(fixture.danger).length).toBeGreaterThanOrEqual(60);
    expect(all(fixture.ordinary).length).toBeGreaterThanOrEqual(60);
  });

  it("catches every danger message", () => {
    expect(all(fixture.danger).filter((m) => !isDanger(m))).toEqual([]);
  });

  it("leaves every ordinary message alone, including questions about violence", () => {
    expect(all(fixture.ordinary).filter((m) => isDanger(m))).toEqual([]);
  });

  it("is not fooled by invisible characters or Khmer digits mixed in", () => {
    expect(isDanger("ប្តី\u200bវាយ\u200bខ្ញុំ")).toBe(true);
    expect(isDanger("help\u00a0me")).toBe(true);
    expect(isDanger("")).toBe(false);
    expect(isDanger("១២៣")).toBe(false);
  });
});
