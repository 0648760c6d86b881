/**
 * Voice end to end, in process: the real service against the fake Bot API over HTTP. A shipped recording goes up
 * once as a multipart upload and is then sent by its file id; a resident's voice note reaches a caseworker by
 * copyMessage only. No request ever downloads a resident's file (getFile), and neither the logs nor the database
 * hold the resident's file id or a file path.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { silentOggOpus } from "../../src/sandbox/sample-ogg.ts";
import { loadServiceContent } from "../../src/service/core.ts";
import { createService, type Service } from "../../src/service/service.ts";
import { E2E_STAFF, useEndToEnd } from "../helpers/e2e.ts";
import { buttonsOf } from "../helpers/harness.ts";
import { sqliteOf } from "../helpers/test-database.ts";

const RESIDENT = 1;
const CASEWORKER = 401;

const e2e = useEndToEnd();
let service: Service;
const logLines: string[] = [];
const ogg = silentOggOpus(2);

beforeEach(async () => {
  const { fake, dir } = e2e;
  fake.addUser({ id: CASEWORKER, first_name: "Bopha", language_code: "km" });
  const audio = join(dir, "start.ogg");
  writeFileSync(audio, ogg);
  const config = loadConfig(e2e.env());
  const content = loadServiceContent(config);
  const shipped = {
    target: "screen:start" as const,
    path: audio,
    name: "start.ogg",
    sha256: createHash("sha256").update(ogg).digest("hex"),
    speaker: "S.B.",
    recorded: "2026-11-30",
  };
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  service = await createService(config, createLogger("debug", sink), {
    content: { ...content, recordings: [shipped] },
  });
  await service.core.staff.register(CASEWORKER, "caseworker", "Bopha");
  await service.start();
});

afterEach(() => service.stop());

const t = (key: string) => service.core.content.translator.render("km", { key });
const voicesTo = (chat: number) => e2e.fake.botMessages(chat).filter((m) => m.kind === "voice");

function press(userId: number, chat: number, label: string) {
  const { fake } = e2e;
  const message = [...fake.botMessages(chat)].reverse().find((m) => buttonsOf(m).some((b) => b.text === label));
  const button = buttonsOf(message).find((b) => b.text === label);
  if (!message || !button) throw new Error(`no button ${label} in ${chat}`);
  return fake.pressButton(userId, message.message_id, button.callback_data, chat);
}

const until = (condition: () => boolean) => e2e.fake.waitFor(condition, 15_000);

describe("voice, end to end", () => {
  it("uploads a shipped recording once, copies a resident's voice note, and never downloads a file", async () => {
    const { fake, dir } = e2e;
    fake.sendText(RESIDENT, "/start");
    await until(() =>
      fake.botMessages(RESIDENT).some((m) => buttonsOf(m).some((b) => b.text === t("recordings.listen"))),
    );
    press(RESIDENT, RESIDENT, t("recordings.listen"));
    await until(() => voicesTo(RESIDENT).length === 1);
    press(RESIDENT, RESIDENT, t("recordings.listen"));
    await until(() => voicesTo(RESIDENT).length === 2);
    const sends = fake.calls.filter((c) => c.method === "sendVoice").map((c) => c.params.voice);
    expect(sends[0]).toBeInstanceOf(Uint8Array); // the multipart upload, over HTTP
    expect(Buffer.from(sends[0] as Uint8Array).equals(Buffer.from(ogg))).toBe(true);
    expect(sends[1]).toBe("voice-upload-1"); // then by the file id Telegram gave

    // A resident's voice note: the caseworker gets a copy, nothing more.
    const sent = fake.sendOther(RESIDENT, "voice", { duration: 12 }) as { message: { message_id: number } };
    const residentFileId = `voice-${RESIDENT}-${sent.message.message_id}`;
    await until(() => fake.botMessages(RESIDENT).some((m) => m.text?.includes(t("media.prompt").slice(0, 20))));
    press(RESIDENT, RESIDENT, t("media.listen"));
    await until(() => fake.botMessages(E2E_STAFF).some((m) => m.text?.includes("SP-0001")));
    press(CASEWORKER, E2E_STAFF, t("casework.button_claim"));
    await until(() => voicesTo(CASEWORKER).length === 1);
    expect(voicesTo(CASEWORKER)[0]?.protect_content).toBe(true);

    expect(fake.calls.filter((c) => c.method === "getFile")).toEqual([]);
    const logs = logLines.join("\n");
    expect(logs).not.toContain(residentFileId);
    expect(logs).not.toContain(dir); // no file path, not even of the shipped recording
    const db = sqliteOf(service.core).$client;
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    for (const { name } of tables)
      expect(JSON.stringify(db.prepare(`select * from "${name}"`).all()), name).not.toContain(residentFileId);
  });
});
