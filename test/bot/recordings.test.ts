/**
 * Listening to answers (src/recordings/): a content member attaches their own voice note to a page with
 * /recording; residents see 🔊 Listen there and get it by sendVoice; shipped files are uploaded once and then sent
 * by file id; a file id Telegram refuses (another bot token) falls back to the upload or hides the button; nobody
 * can attach a resident's voice or a forwarded one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { ShippedRecording } from "../../src/recordings/shipped.ts";
import { createPgRecordingStore } from "../../src/recordings/pg-store.ts";
import { createRecordingStore } from "../../src/recordings/store.ts";
import { silentOggOpus } from "../../src/sandbox/sample-ogg.ts";
import { buttonsOf, CASEWORKER, createHarness, type Harness, RESIDENT, startTalking } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

const EDITOR = 6004;

describe("recordings of answers", () => {
  let h: Harness;
  afterEach(() => h?.close());

  const t = (key: string) => h.render(key);
  const voiceCalls = () => h.fake.calls.filter((c) => c.method === "sendVoice");
  const listenButton = () => buttonsOf(h.last()).find((b) => b.text === t("recordings.listen"));

  async function withEditor(harness: Harness): Promise<Harness> {
    harness.fake.addUser({ id: EDITOR, first_name: "Sokha", language_code: "km" });
    await harness.core.staff.register(EDITOR, "content", "Sok Sokha");
    return harness;
  }

  /** The editor records a voice note and replies to it with `command`; returns the bot's answer. */
  async function recordAndAttach(command: string, seconds = 42): Promise<string> {
    const voice = h.fake.sendOther(EDITOR, "voice", { duration: seconds }) as { message: { message_id: number } };
    await h.handle(voice);
    await h.deliverQueued();
    await h.sayAs(EDITOR, command, voice.message.message_id);
    await h.deliverQueued();
    return h.fake.botMessages(EDITOR).at(-1)?.text ?? "";
  }

  async function openPassport() {
    await h.say("/start");
    await h.press(t("main.choice_info"));
    await h.press(t("knowledge.topics.documents"));
    await h.press(t("articles.passport.title"));
  }

  it("an editor's voice note becomes 🔊 Listen on the article, sent by its file id", async () => {
    h = await withEditor(await createHarness());
    // Their voice note is a recording to attach, not a resident's message for a caseworker.
    const voice = h.fake.sendOther(EDITOR, "voice", { duration: 42 }) as { message: { message_id: number } };
    await h.handle(voice);
    await h.deliverQueued();
    expect(h.fake.botMessages(EDITOR).at(-1)?.text).toBe(t("recordings.staff_hint"));
    expect(await rowsOf(h.core, "select count(*) as n from case_media")).toEqual([{ n: 0 }]);

    await h.sayAs(EDITOR, "/recording passport", voice.message.message_id);
    await h.deliverQueued();
    const answer = h.fake.botMessages(EDITOR).at(-1)?.text ?? "";
    expect(answer).toContain(t("articles.passport.title"));
    expect(answer).toContain("០:៤២"); // in Khmer digits, like every Khmer reply
    expect(answer).toContain("S.S."); // initials from the roster name

    await openPassport();
    const button = listenButton();
    expect(button?.callback_data).toBe("o:article:passport");
    await h.press(t("recordings.listen"));
    await h.deliverQueued();
    const sent = voiceCalls();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.params).toMatchObject({ chat_id: RESIDENT, voice: `voice-${EDITOR}-${voice.message.message_id}` });
    const caption = String((sent[0]?.params as { caption: string }).caption);
    expect(caption).toContain(t("articles.passport.title"));
    expect(caption).toContain("S.S.");
    expect(h.callbackAnswers().at(-1)?.text).toBe(t("recordings.sending"));
    // Only page 1 carries the button, and a page without a recording has none.
    await h.say("/menu");
    await h.press(t("main.choice_info"));
    await h.press(t("knowledge.topics.documents"));
    await h.press(t("articles.id_card.title"));
    expect(listenButton()).toBeUndefined();
  });

  it("the /start recording shows on the main menu; /recordings lists pages; remove takes it off", async () => {
    h = await withEditor(await createHarness());
    expect(await recordAndAttach("/recording start K.S.")).toContain(t("recordings.screen_start"));
    await h.say("/start");
    expect(listenButton()?.callback_data).toBe("o:screen:start");

    await h.sayAs(EDITOR, "/recordings");
    await h.deliverQueued();
    const list = h.fake.botMessages(EDITOR).at(-1)?.text ?? "";
    expect(list).toContain("✅ start");
    expect(list).toContain("K.S.");
    expect(list).toContain("▫️ passport");

    await h.sayAs(EDITOR, "/recording remove start");
    await h.deliverQueued();
    expect(h.fake.botMessages(EDITOR).at(-1)?.text).toContain(t("recordings.screen_start"));
    await h.say("/menu");
    expect(listenButton()).toBeUndefined();
    // An old 🔊 pressed after the recording went: a clear answer, nothing sent.
    const old = h.fake
      .botMessages(RESIDENT)
      .find((m) => buttonsOf(m).some((b) => b.callback_data === "o:screen:start"));
    await h.handle(h.fake.pressButton(RESIDENT, old?.message_id ?? 0, "o:screen:start"));
    expect(h.callbackAnswers().at(-1)?.text).toBe(t("recordings.gone"));
    expect(voiceCalls()).toHaveLength(0);
  });

  it("refuses what is not the editor's own voice note, unknown pages, and staff without the role", async () => {
    h = await withEditor(await createHarness());
    expect(await recordAndAttach("/recording nowhere")).toContain('"nowhere"');
    expect(await recordAndAttach("/recording passport", 1)).toBe(t("recordings.not_a_reply"));
    await h.sayAs(EDITOR, "/recording passport");
    await h.deliverQueued();
    expect(h.fake.botMessages(EDITOR).at(-1)?.text).toBe(t("recordings.not_a_reply"));
    await h.sayAs(EDITOR, "/recording");
    await h.deliverQueued();
    expect(h.fake.botMessages(EDITOR).at(-1)?.text).toBe(t("recordings.usage"));

    // A forwarded voice note is someone else's.
    const forwarded = h.fake.sendOther(EDITOR, "voice", { duration: 20, forwarded: true }) as {
      message: { message_id: number };
    };
    await h.handle(forwarded);
    await h.sayAs(EDITOR, "/recording passport", forwarded.message.message_id);
    await h.deliverQueued();
    expect(h.fake.botMessages(EDITOR).at(-1)?.text).toBe(t("recordings.not_own"));

    // A caseworker without the role cannot attach anything (the refusal is audited).
    const voice = h.fake.sendOther(CASEWORKER, "voice", { duration: 20 }) as { message: { message_id: number } };
    await h.handle(voice);
    await h.sayAs(CASEWORKER, "/recording passport", voice.message.message_id);
    await h.deliverQueued();
    expect((await h.core.recordings.coverage()).filter((p) => p.recording)).toEqual([]);
    const [refused] = await rowsOf(
      h.core,
      "select count(*) as n from staff_audit where action = 'manage_recordings' and allowed = false",
    );
    expect(refused?.n).toBeGreaterThan(0);
  });

  it("a resident's voice note the bot copied to a caseworker can never become a recording", async () => {
    h = await createHarness();
    await h.core.staff.register(CASEWORKER, "supervisor", "Bopha"); // may manage recordings
    await startTalking(h);
    const residentVoice = h.fake.sendOther(RESIDENT, "voice", { duration: 30 });
    await h.handle(residentVoice);
    await h.deliverQueued();
    const copy = h.fake
      .botMessages(CASEWORKER)
      .filter((m) => m.kind === "voice")
      .at(-1);
    expect(copy).toBeDefined();
    await h.sayAs(CASEWORKER, "/recording passport", copy?.message_id);
    await h.deliverQueued();
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toBe(t("recordings.not_own"));
    expect((await h.core.recordings.coverage()).filter((p) => p.recording)).toEqual([]);
  });

  it("a recording made with another bot token is hidden, and one Telegram refuses is forgotten", async () => {
    h = await withEditor(await createHarness());
    const database = h.core.database;
    const otherBot =
      database.kind === "sqlite"
        ? createRecordingStore(database.db, "999999")
        : createPgRecordingStore(database.db, "999999");
    await otherBot.attach({
      target: "article:passport",
      fileId: "AwAD-other",
      duration: 30,
      speaker: "A.",
      recordedOn: "2026-11-01",
      addedBy: EDITOR,
    });
    await openPassport();
    expect(listenButton()).toBeUndefined();
    await h.sayAs(EDITOR, "/recordings");
    await h.deliverQueued();
    expect(h.fake.botMessages(EDITOR).at(-1)?.text).toContain(
      h.renderRef({ key: "recordings.list_other_bot", params: { count: "១" } }),
    );

    // This bot's row, but a file id Telegram does not know (a restored database from another bot, a lost file).
    await h.core.recordings.attach(EDITOR, { target: "article:passport", fileId: "AwAD-gone", duration: 30 });
    await h.say("/menu");
    await openPassport();
    await h.press(t("recordings.listen"));
    await h.deliverQueued();
    expect(await h.core.recordings.playable("article:passport")).toBeUndefined();
    await h.say("/menu");
    await openPassport();
    expect(listenButton()).toBeUndefined();
  });

  describe("shipped recordings", () => {
    const dir = mkdtempSync(join(tmpdir(), "spean-audio-"));
    const bytes = silentOggOpus(2);
    const path = join(dir, "start.ogg");
    writeFileSync(path, bytes);
    const shipped: ShippedRecording = {
      target: "screen:start",
      path,
      name: "start.ogg",
      sha256: createHash("sha256").update(bytes).digest("hex"),
      speaker: "S.B.",
      recorded: "2026-11-30",
    };
    const withShipped = () => createHarness({}, { content: (c) => ({ ...c, recordings: [shipped] }) });

    it("is uploaded on the first press and sent by its file id after that", async () => {
      h = await withShipped();
      await h.say("/start");
      await h.press(t("recordings.listen"));
      await h.deliverQueued();
      await h.press(t("recordings.listen"));
      await h.deliverQueued();
      const [first, second] = voiceCalls().map((c) => (c.params as { voice: unknown }).voice);
      expect(typeof first).toBe("object"); // an upload
      expect(second).toBe("voice-upload-1");
      expect(Buffer.from(h.fake.uploadedFile("voice-upload-1") ?? []).equals(Buffer.from(bytes))).toBe(true);
    });

    it("is uploaded again when Telegram refuses the cached file id (the bot token changed)", async () => {
      h = await withShipped();
      await h.core.recordings.uploaded(shipped.sha256, "AwAD-from-the-old-bot");
      await h.say("/start");
      await h.press(t("recordings.listen"));
      await h.deliverQueued();
      const calls = voiceCalls().map((c) => (c.params as { voice: unknown }).voice);
      expect(calls).toHaveLength(2);
      expect(calls[0]).toBe("AwAD-from-the-old-bot");
      expect(typeof calls[1]).toBe("object");
      expect(h.fake.botMessages(RESIDENT).at(-1)?.kind).toBe("voice");
      expect((await h.core.recordings.playable("screen:start"))?.fileId).toBe("voice-upload-1");
    });

    it("quick exit deletes the recording sent to the resident like any other message", async () => {
      h = await withShipped();
      await h.say("/start");
      await h.press(t("recordings.listen"));
      await h.deliverQueued();
      const voice = h.fake.botMessages(RESIDENT).find((m) => m.kind === "voice");
      await h.say("/exit");
      await h.deliverQueued();
      expect(h.fake.chatLog(RESIDENT).find((m) => m.message_id === voice?.message_id)?.deleted).toBe(true);
    });
  });
});
