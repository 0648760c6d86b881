import { describe, expect, it } from "vitest";
import { splitText } from "../../src/telegram/renderer.ts";

describe("splitText", () => {
  it("keeps short text whole", () => expect(splitText("សួស្តី", 4096)).toEqual(["សួស្តី"]));

  it("splits long text at line breaks into parts Telegram accepts", () => {
    const paragraph = "ក".repeat(3000);
    const parts = splitText(`${paragraph}\n\n${paragraph}\n\n${paragraph}`, 4096);
    expect(parts).toHaveLength(3);
    for (const part of parts) expect([...part].length).toBeLessThanOrEqual(4096);
    expect(parts.join("")).toBe(paragraph.repeat(3));
  });

  it("cuts text without breaks at the limit, counting characters not UTF-16 units", () => {
    const parts = splitText("😀".repeat(5000), 4096);
    expect(parts.map((p) => [...p].length)).toEqual([4096, 904]);
  });
});
