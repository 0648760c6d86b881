import { afterEach, describe, expect, it } from "vitest";
import { CASEWORKER, createHarness, type Harness, RESIDENT, STAFF_CHAT } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

/** The anonymous community-needs survey, by taps, as a resident answers it (programme/feature.ts). */
describe("community needs survey", () => {
  let h: Harness;
  afterEach(() => h?.close());

  const t = (key: string) => h.render(key);
  const rows = (sql: string, ...params: unknown[]) => rowsOf(h.core, sql, params);
  const sangkat = (id: string) => h.core.content.places.sangkat(id)?.km as string;

  async function answer(needs: string[], meeting = "needs.meeting_yes") {
    await h.press(t("main.choice_needs"));
    await h.press(t("needs.start"));
    await h.press(h.core.content.places.khan("russey_keo")?.km as string);
    await h.press(sangkat("russey_keo_svay_pak"));
    for (const need of needs) await h.press(t(`needs.need_${need}`));
    await h.press(t("needs.done"));
    await h.press(t(meeting));
    await h.deliverQueued();
  }

  it("keeps one anonymous answer: the day, the place, up to three needs, the meeting answer; no chat id", async () => {
    h = await createHarness();
    await h.say("/start");
    await answer(["water", "drainage", "jobs_training"]);
    expect(h.last()?.text).toBe(t("needs.thanks"));
    const saved = await rows("select * from needs_responses");
    expect(saved).toEqual([
      expect.objectContaining({
        date: "2026-11-21",
        khan: "russey_keo",
        sangkat: "russey_keo_svay_pak",
        need1: "water",
        need2: "drainage",
        need3: "jobs_training",
        meeting: "yes",
      }),
    ]);
    // Nothing that names the chat: not in the answer, not as a plain id in the once-a-quarter mark.
    expect(JSON.stringify(await rows("select * from needs_answered"))).not.toContain(String(RESIDENT));
    expect(await rows("select quarter from needs_answered")).toEqual([{ quarter: "2026-Q4" }]);
  });

  it("never keeps the choices in the conversation, its log or the outbox", async () => {
    h = await createHarness();
    await h.say("/start");
    await answer(["waste", "safety"]);
    const logged = await rows("select kind, flow, node from interactions where chat_id = ?", RESIDENT);
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toMatch(/waste|safety/);
    // The rewrites of the survey message are erased once sent.
    expect(await rows("select count(*) as n from outbox where subject_kind = 'needs_survey'")).toEqual([{ n: 0 }]);
    const inbox = await rows("select count(*) as n from inbox where payload_enc is not null");
    expect(inbox).toEqual([{ n: 0 }]);
  });

  it("offers at most three needs, and pressing a chosen one again removes it", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.press(t("main.choice_needs"));
    await h.press(t("needs.start"));
    await h.press(h.core.content.places.khan("chbar_ampov")?.km as string);
    await h.press(t("needs.sangkat_not_sure"));
    for (const need of ["water", "waste", "safety"]) await h.press(t(`needs.need_${need}`));
    await h.deliverQueued();
    const labels = (h.last()?.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard
      .flat()
      .map((b) => b.text);
    expect(h.last()?.text).toBe(t("needs.needs_full"));
    expect(labels.filter((l) => l.startsWith("✅"))).toHaveLength(3);
    expect(labels).not.toContain(t("needs.need_health_post"));
    await h.press(`✅ ${t("needs.need_waste")}`);
    await h.press(t("needs.done"));
    await h.press(t("needs.meeting_maybe"));
    const [saved] = await rows("select sangkat, need1, need2, need3, meeting from needs_responses");
    expect(saved).toEqual({ sangkat: null, need1: "water", need2: "safety", need3: null, meeting: "maybe" });
  });

  it("takes one answer a quarter: a second one is refused until the next quarter", async () => {
    h = await createHarness();
    await h.say("/start");
    await answer(["water"]);
    await h.say("/start");
    await h.press(t("main.choice_needs"));
    expect(h.last()?.text).toBe(t("needs.already"));
    // A press on the old survey message cannot add a second answer either.
    const data = "n:y:1:0:1:no";
    await h.handle(h.fake.pressButton(RESIDENT, h.last()?.message_id as number, data));
    expect(await rows("select count(*) as n from needs_responses")).toEqual([{ n: 1 }]);
    // 2027-01: a new quarter.
    h.advance(45 * 24 * 3_600_000);
    await h.say("/start");
    await answer(["housing_land"]);
    expect(await rows("select count(*) as n from needs_responses")).toEqual([{ n: 2 }]);
    expect(await rows("select quarter from needs_answered order by quarter")).toEqual([
      { quarter: "2026-Q4" },
      { quarter: "2027-Q1" },
    ]);
  });

  it("'not now', 'somewhere else' and forged or misplaced buttons keep nothing", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.press(t("main.choice_needs"));
    await h.press(t("needs.not_now"));
    expect(h.last()?.text).toBe(t("needs.stopped"));
    await h.say("/start");
    await h.press(t("main.choice_needs"));
    await h.press(t("needs.start"));
    await h.press(t("needs.elsewhere"));
    await h.deliverQueued();
    expect(h.last()?.text).toBe(t("needs.elsewhere_done"));
    const message = h.last()?.message_id as number;
    for (const data of ["n:y:9:0:1:yes", "n:y:0:99:1:yes", "n:y:0:0:0:yes", "n:y:0:0:f:yes", "n:d:0:0:zzzz", "n:zz"]) {
      await h.handle(h.fake.pressButton(RESIDENT, message, data));
      expect(h.callbackAnswers().at(-1)?.text).toBe(t("common.expired_short"));
    }
    // A survey button pressed in the staff group (never sent there) is refused too.
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, CASEWORKER, "/sessions"));
    const inGroup = h.fake.botMessages(STAFF_CHAT).at(-1) as { message_id: number };
    await h.handle(h.fake.pressButton(RESIDENT, inGroup.message_id, "n:y:0:0:1:yes", STAFF_CHAT));
    expect(h.callbackAnswers().at(-1)?.text).toBe(t("common.expired_short"));
    expect(await rows("select count(*) as n from needs_responses")).toEqual([{ n: 0 }]);
  });

  it("/forget lets the chat answer again; /mydata says it answered without what", async () => {
    h = await createHarness();
    await h.say("/start");
    await answer(["water"]);
    await h.say("/mydata");
    expect(h.last()?.text).toContain(t("needs.mydata").replace(/^• /, ""));
    await h.core.features.find((f) => f.name === "programme")?.onForget?.(RESIDENT, 1);
    expect(await rows("select count(*) as n from needs_answered")).toEqual([{ n: 0 }]);
    expect(await rows("select count(*) as n from needs_responses")).toEqual([{ n: 1 }]);
  });
});
