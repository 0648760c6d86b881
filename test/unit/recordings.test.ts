/**
 * The parts of listening that need no bot: reading pages as staff type them, shipped files checked at load
 * (missing, too large, not OGG/Opus), the generated sample file, the content-check report, and the fake Bot API's
 * reading of a multipart upload as grammY sends it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initialsOf } from "../../src/recordings/desk.ts";
import { recordingsReport, staffRecordedTargets } from "../../src/recordings/report.ts";
import { isOggOpus, loadShippedRecordings } from "../../src/recordings/shipped.ts";
import { readTarget, targetOfNode } from "../../src/recordings/targets.ts";
import { parseMultipart } from "../../src/sandbox/multipart.ts";
import { silentOggOpus } from "../../src/sandbox/sample-ogg.ts";

const articles = new Set(["passport", "id_card"]);
const exists = (id: string) => articles.has(id);

describe("pages a recording can be attached to", () => {
  it("reads what staff type, and nothing else", () => {
    expect(readTarget("passport", exists)).toBe("article:passport");
    expect(readTarget(" Passport ", exists)).toBe("article:passport");
    expect(readTarget("article:id_card", exists)).toBe("article:id_card");
    expect(readTarget("start", exists)).toBe("screen:start");
    expect(readTarget("emergency", exists)).toBe("screen:emergency");
    for (const wrong of ["", "nowhere", "article:nowhere", "screen:menu", "passport; drop table", "ស្ពាន"])
      expect(readTarget(wrong, exists), wrong).toBeUndefined();
  });

  it("shows the 🔊 button on an article's first page and the key screens only", () => {
    expect(targetOfNode("kb.a_passport_1")).toBe("article:passport");
    expect(targetOfNode("kb.a_passport_2")).toBeUndefined();
    expect(targetOfNode("main.menu")).toBe("screen:start");
    expect(targetOfNode("emergency.numbers")).toBe("screen:emergency");
    expect(targetOfNode("help.start")).toBeUndefined();
  });

  it("makes initials from a roster name", () => {
    expect(initialsOf("Sok Bopha")).toBe("S.B.");
    expect(initialsOf("bopha")).toBe("B.");
    expect(initialsOf("សុខ បុប្ផា")).toBe("ស.ប.");
    expect(initialsOf("  ")).toBe("?");
  });
});

describe("shipped recordings", () => {
  function flowsWith(yaml: string, files: Record<string, Uint8Array | string> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), "spean-flows-"));
    mkdirSync(join(dir, "audio"));
    writeFileSync(join(dir, "audio", "recordings.yaml"), yaml);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, "audio", name), bytes);
    return dir;
  }

  it("loads a valid entry with the file's hash", () => {
    const dir = flowsWith(
      'recordings:\n  "screen:start": { file: start.ogg, speaker: "S.B.", recorded: 2026-11-30 }\n',
      {
        "start.ogg": silentOggOpus(2),
      },
    );
    const [one] = loadShippedRecordings(dir);
    expect(one).toMatchObject({ target: "screen:start", name: "start.ogg", speaker: "S.B." });
    expect(one?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names every problem: a missing file, a file that is not OGG/Opus, a bad page, a path outside the folder", () => {
    const dir = flowsWith(
      [
        "recordings:",
        '  "article:passport": { file: missing.ogg, speaker: "A", recorded: 2026-11-30 }',
        '  "article:id_card": { file: fake.ogg, speaker: "A", recorded: 2026-11-30 }',
        '  "screen:menu": { file: fake.ogg, speaker: "A", recorded: 2026-11-30 }',
      ].join("\n"),
      { "fake.ogg": "ID3 this is an mp3" },
    );
    expect(() => loadShippedRecordings(dir)).toThrow(
      /missing\.ogg does not exist[\s\S]*not an OGG\/Opus[\s\S]*screen:menu/,
    );
    const outside = flowsWith(
      'recordings:\n  "screen:start": { file: ../../etc/passwd, speaker: "A", recorded: 2026-11-30 }\n',
    );
    expect(() => loadShippedRecordings(outside)).toThrow(/<name>\.ogg/);
  });

  it("has none when the file is absent or lists nothing", () => {
    expect(loadShippedRecordings(mkdtempSync(join(tmpdir(), "spean-flows-")))).toEqual([]);
    expect(loadShippedRecordings(flowsWith("recordings: {}\n"))).toEqual([]);
  });

  it("generates a sample that is OGG/Opus", () => {
    const bytes = silentOggOpus(3);
    expect(isOggOpus(bytes)).toBe(true);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe("OggS");
    expect(isOggOpus(Buffer.from("OggS but no opus head"))).toBe(false);
  });
});

describe("the content-check report", () => {
  it("counts pages with a recording and lists the articles without one", () => {
    const lines = recordingsReport(["passport", "id_card"], [], new Set(["article:passport"]));
    expect(lines[0]).toContain("1 of 4 pages");
    expect(lines[1]).toBe("recordings: no recording yet for id_card, start, emergency");
  });

  it("reads nothing from a database that does not exist", () => {
    expect(staffRecordedTargets(join(tmpdir(), "no-such-spean.db"), "1").size).toBe(0);
  });
});

describe("a multipart Bot API call, as grammY sends an upload", () => {
  it("gives fields as values and the attached file as bytes", () => {
    const boundary = "grammy123";
    const ogg = Buffer.from(silentOggOpus(1));
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition:form-data;name="chat_id"\r\n\r\n5001`),
      Buffer.from(`\r\n--${boundary}\r\ncontent-disposition:form-data;name="voice"\r\n\r\nattach://abc`),
      Buffer.from(
        `\r\n--${boundary}\r\ncontent-disposition:form-data;name="reply_markup"\r\n\r\n{"inline_keyboard":[]}`,
      ),
      Buffer.from(
        `\r\n--${boundary}\r\ncontent-disposition:form-data;name="abc";filename=voice.ogg\r\n` +
          "content-type:application/octet-stream\r\n\r\n",
      ),
      ogg,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const params = parseMultipart(body, `multipart/form-data; boundary=${boundary}`);
    expect(params.chat_id).toBe("5001");
    expect(params.reply_markup).toEqual({ inline_keyboard: [] });
    expect(Buffer.from(params.voice as Uint8Array).equals(ogg)).toBe(true);
    expect(() => parseMultipart(body, "multipart/form-data")).toThrow(/boundary/);
  });
});
