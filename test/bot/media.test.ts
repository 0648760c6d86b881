/**
 * Voice notes and photos from residents (src/referrals/media.ts): the bot cannot listen, so it asks whether a person
 * may; with a yes, a referral whose alert carries no content; the claiming caseworker gets a copy; their voice reply
 * reaches the resident; "no" keeps nothing; a burst is one question and one alert; quick exit deletes the messages.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CASEWORKER, createHarness, type Harness, RESIDENT, STAFF_CHAT } from "../helpers/harness.ts";
import { rowsOf, tableNamesOf } from "../helpers/test-database.ts";

describe("voice notes and photos for a person", () => {
  let h: Harness;
  afterEach(() => h?.close());

  const t = (key: string) => h.render(key);
  const count = async (sql: string, ...params: unknown[]) => (await rowsOf(h.core, sql, params))[0]?.n;
  const copies = (to: number) =>
    h.fake.calls.filter((c) => c.method === "copyMessage" && Number((c.params as { chat_id: number }).chat_id) === to);

  it("voice → yes → alert without content → claim → a copy to the caseworker → their voice reaches them", async () => {
    h = await createHarness();
    await h.say("/start");
    const update = h.fake.sendOther(RESIDENT, "voice") as { message: { message_id: number } };
    await h.handle(update);
    const voiceId = update.message.message_id;
    expect(h.last()?.text).toContain(t("media.prompt"));
    await h.press(t("media.listen"));
    await h.deliverQueued();
    expect(h.last()?.text).toContain("SP-០០០១"); // the case number, in Khmer digits
    const alert = h.fake.botMessages(STAFF_CHAT).at(-1)?.text ?? "";
    expect(alert).toContain(t("help.category_message"));
    const fileId = `voice-${RESIDENT}-${voiceId}`;
    expect(alert).not.toContain(fileId); // never a file id
    expect(await count("select count(*) as n from case_media where referral_id = 1")).toBe(1);

    await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
    await h.deliverQueued();
    const copied = copies(CASEWORKER);
    expect(copied).toHaveLength(1);
    expect(copied[0]?.params).toMatchObject({ from_chat_id: RESIDENT, protect_content: true });
    expect(copied[0]?.params).toMatchObject({ message_id: voiceId });

    // The caseworker talks, and answers with a voice note of their own: it reaches the resident as a copy.
    await h.pressAs(CASEWORKER, CASEWORKER, t("casework.button_talk"));
    await h.deliverQueued();
    await h.handle(h.fake.sendOther(CASEWORKER, "voice"));
    await h.deliverQueued();
    expect(copies(RESIDENT)).toHaveLength(1);
    // Nothing was ever downloaded, and no table holds a file id of the resident's media (only message ids).
    expect(h.fake.calls.some((c) => c.method === "getFile")).toBe(false);
    const tables = await tableNamesOf(h.core);
    expect(tables).toEqual(expect.arrayContaining(["case_media", "referrals", "interactions", "outbox"]));
    for (const name of tables) {
      const rows = JSON.stringify(await rowsOf(h.core, `select * from "${name}"`));
      expect(rows, name).not.toContain(fileId);
    }
  });

  it("'no' keeps nothing and sends nothing to staff", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.handle(h.fake.sendOther(RESIDENT, "photo"));
    await h.press(t("media.no"));
    await h.deliverQueued();
    expect(h.last()?.text).toBe(t("media.not_sent"));
    expect(await count("select count(*) as n from case_media")).toBe(0);
    expect(await count("select count(*) as n from referrals")).toBe(0);
    expect(h.fake.botMessages(STAFF_CHAT)).toHaveLength(0);
  });

  it("twenty voice notes in a row are one question, one waiting item and one alert", async () => {
    h = await createHarness();
    await h.say("/start");
    for (let i = 0; i < 20; i++) await h.handle(h.fake.sendOther(RESIDENT, "voice"));
    const prompts = h.fake.botMessages(RESIDENT).filter((m) => m.text?.startsWith(t("media.prompt")));
    expect(prompts).toHaveLength(1);
    await h.press(t("media.urgent"));
    await h.deliverQueued();
    expect(await count("select count(*) as n from referrals where urgency = 'urgent'")).toBe(1);
    expect(await count("select count(*) as n from case_media where referral_id = 1")).toBe(20);
    expect(h.fake.botMessages(STAFF_CHAT)).toHaveLength(1);
    // More while the case waits join it, without a new question or alert.
    await h.handle(h.fake.sendOther(RESIDENT, "voice"));
    await h.deliverQueued();
    expect(await count("select count(*) as n from case_media where referral_id = 1")).toBe(21);
    expect(h.fake.botMessages(STAFF_CHAT)).toHaveLength(1);
    // A caseworker who claims gets all 21.
    await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
    await h.deliverQueued();
    expect(copies(CASEWORKER)).toHaveLength(21);
  });

  it("quick exit deletes the voice notes from the chat and forgets their ids", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.handle(h.fake.sendOther(RESIDENT, "voice"));
    await h.handle(h.fake.sendOther(RESIDENT, "voice"));
    await h.say("/exit");
    await h.deliverQueued();
    const deleted = h.fake.calls
      .filter((c) => c.method === "deleteMessages" || c.method === "deleteMessage")
      .flatMap((c) => {
        const p = c.params as { message_ids?: number[]; message_id?: number };
        return p.message_ids ?? (p.message_id !== undefined ? [p.message_id] : []);
      });
    const voices = await count("select count(*) as n from case_media");
    expect(voices).toBe(0);
    expect(deleted.length).toBeGreaterThanOrEqual(2);
  });

  it("a stale or forged answer button does nothing", async () => {
    h = await createHarness();
    await h.say("/start");
    const message = h.last()?.message_id as number;
    for (const data of ["p:y", "p:zz"]) {
      await h.handle(h.fake.pressButton(RESIDENT, message, data));
    }
    expect(h.callbackAnswers().map((a) => a.text)).toEqual([t("media.nothing_waiting"), t("common.expired_short")]);
    expect(await count("select count(*) as n from referrals")).toBe(0);
  });
});
