/**
 * Caseworkers through the real bot: Claim and Resolve with role checks, talking to the resident through the bot
 * (handoff), escalation and the morning digest on a fake clock, and registration with one-time codes.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { caseNumber } from "../../src/referrals/store.ts";
import {
  buttonsOf,
  CASEWORKER,
  createHarness,
  type Harness,
  OUTSIDER,
  RESIDENT,
  referToCaseworker,
  STAFF_CHAT,
  startTalking,
  SUPERVISOR,
} from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

const t = (key: string) => h.render(key);

const refer = (category?: string, phone?: string) => referToCaseworker(h, category, phone);

const staffTexts = () => h.fake.botMessages(STAFF_CHAT).map((m) => m.text ?? "");

describe("claim and resolve", () => {
  it("refuses Claim from anyone not registered (a resident included) and records the attempt", async () => {
    await refer();
    await h.pressAs(OUTSIDER, STAFF_CHAT, t("casework.button_claim"));
    await h.pressAs(RESIDENT, STAFF_CHAT, t("casework.button_claim"));
    expect(
      h
        .callbackAnswers()
        .slice(-2)
        .map(({ text, show_alert }) => ({ text, show_alert })),
    ).toEqual([
      { text: t("casework.not_allowed"), show_alert: true },
      { text: t("casework.not_allowed"), show_alert: true },
    ]);
    expect((await h.core.referrals.active())[0]?.status).toBe("open");
    expect((await h.core.staff.auditLog()).map((a) => [a.telegramUserId, a.action, a.allowed])).toEqual([
      [OUTSIDER, "claim", false],
      [RESIDENT, "claim", false],
    ]);
  });

  it(
    "Claim edits the alert, tells the resident the caseworker's first name, " + "and sends the caseworker a case card",
    async () => {
      await refer("help.category_legal", "012 345 678");
      await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
      await h.deliverQueued();
      const [alert] = h.fake.botMessages(STAFF_CHAT);
      expect(alert?.edited).toBe(true);
      expect(alert?.text).toContain("✋ Bopha");
      expect(buttonsOf(alert).map((b) => b.text)).toEqual([t("casework.button_resolve")]);
      expect(h.lastTexts(1)[0]).toBe(
        h.core.content.translator.render("km", {
          key: "casework.resident_claimed",
          params: { name: "Bopha", case: caseNumber(1) },
        }),
      );
      expect(h.last()?.protect_content).toBe(true);
      const card = h.fake.botMessages(CASEWORKER).at(-1);
      expect(buttonsOf(card).map((b) => b.text)).toContain(t("casework.button_talk"));
      expect(card?.text).not.toContain("012");

      // A second claim is too late; the contact details are shown only to the caseworker, in a pop-up.
      await h.pressAs(SUPERVISOR, STAFF_CHAT, t("casework.button_resolve")); // supervisors may resolve any case...
      await h.pressAs(CASEWORKER, CASEWORKER, t("casework.button_contact")); // ...but here the case is already resolved
      expect(h.callbackAnswers().at(-2)?.text).toBe(
        h.core.content.translator.render("km", { key: "casework.you_closed_resolved", params: { case: "SP-0001" } }),
      );
      expect((await h.core.referrals.get(1))?.status).toBe("resolved");
    },
  );

  it("shows the phone number only in the caseworker's pop-up, never in a stored message", async () => {
    await refer("help.category_work", "097 111 2222");
    await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
    await h.pressAs(CASEWORKER, CASEWORKER, t("casework.button_contact"));
    const popup = h.callbackAnswers().at(-1);
    expect(popup?.show_alert).toBe(true);
    expect(popup?.text).toContain("0971112222");
    const stored = await rowsOf(h.core, "select id from outbox");
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(h.fake.messagesAfter(0))).not.toContain("0971112222");
  });

  it("a caseworker cannot resolve someone else's case; a supervisor can", async () => {
    await h.core.staff.register(6009, "caseworker", "Dara");
    await refer();
    await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
    await h.pressAs(6009, STAFF_CHAT, t("casework.button_resolve"));
    expect(h.callbackAnswers().at(-1)?.text).toBe(t("casework.not_allowed"));
    await h.pressAs(SUPERVISOR, STAFF_CHAT, t("casework.button_resolve"));
    expect((await h.core.referrals.get(1))?.status).toBe("resolved");
    expect((await h.core.referrals.eventsOf(1)).map((e) => [e.status, e.actor])).toEqual([
      ["open", null],
      ["claimed", CASEWORKER],
      ["resolved", SUPERVISOR],
    ]);
  });
});

describe("talking through the bot", () => {
  const talking = () => startTalking(h);

  it("a resident who blocked the bot: staff are told with the case number, never the Telegram id", async () => {
    await talking();
    h.fake.blockBot(RESIDENT);
    await h.sayAs(CASEWORKER, "សួស្តី");
    await h.deliverQueued();
    const notice = staffTexts().at(-1) as string;
    expect(notice.startsWith(t("staff.unreachable").split("\n")[0] as string)).toBe(true);
    expect(notice).toContain(caseNumber((await h.core.referrals.active())[0]?.id ?? 1));
    expect(notice).not.toContain(String(RESIDENT));
  });

  it("relays both ways, keeps the bot quiet, logs every message to the case, and hands back", async () => {
    await talking();
    expect(h.lastTexts(1)[0]).toContain(t("casework.resident_talking").split("{{")[0] as string);
    const before = h.fake.botMessages(RESIDENT).length;

    await h.say("ខ្ញុំត្រូវការជំនួយអំពីឯកសារ");
    await h.deliverQueued();
    expect(h.fake.botMessages(RESIDENT)).toHaveLength(before); // the assistant did not answer
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toBe("ខ្ញុំត្រូវការជំនួយអំពីឯកសារ");

    await h.sayAs(CASEWORKER, "សួស្តី ខ្ញុំឈ្មោះបុប្ផា");
    await h.deliverQueued();
    expect(h.last()?.text).toBe("សួស្តី ខ្ញុំឈ្មោះបុប្ផា");
    expect(h.last()?.protect_content).toBe(true);

    // Replying to the resident's copied message reaches the same case.
    const copied = h.fake.botMessages(CASEWORKER).find((m) => m.text === "ខ្ញុំត្រូវការជំនួយអំពីឯកសារ");
    await h.sayAs(CASEWORKER, "តើអ្នកមានអត្តសញ្ញាណប័ណ្ណទេ?", copied?.message_id);
    await h.deliverQueued();
    expect(h.last()?.text).toBe("តើអ្នកមានអត្តសញ្ញាណប័ណ្ណទេ?");

    expect((await h.core.referrals.messagesOf(1)).map((m) => [m.direction, m.text])).toEqual([
      ["from_resident", "ខ្ញុំត្រូវការជំនួយអំពីឯកសារ"],
      ["to_resident", "សួស្តី ខ្ញុំឈ្មោះបុប្ផា"],
      ["to_resident", "តើអ្នកមានអត្តសញ្ញាណប័ណ្ណទេ?"],
    ]);

    // /menu still answers; danger words get the emergency numbers and reach the caseworker too.
    await h.say("/menu");
    expect(h.lastTexts(1)[0]).toBe(t("main.menu_prompt"));
    await h.say("គេវាយខ្ញុំ");
    await h.deliverQueued();
    expect(h.lastTexts(2)[0]).toBe(h.dangerLead(["gbv"]));
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toBe("គេវាយខ្ញុំ");

    await h.pressAs(CASEWORKER, CASEWORKER, t("casework.button_end"));
    await h.deliverQueued();
    expect(h.lastTexts(1)[0]).toBe(t("casework.resident_back"));
    await h.say("ok");
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).not.toBe("ok");
    expect((await h.core.referrals.get(1))?.status).toBe("claimed");
  });

  it("a caseworker's message is not relayed once the conversation ended", async () => {
    await talking();
    await h.pressAs(CASEWORKER, CASEWORKER, t("casework.button_end"));
    await h.sayAs(CASEWORKER, "are you there?", h.fake.botMessages(CASEWORKER).at(-1)?.message_id);
    await h.deliverQueued();
    expect(h.fake.botMessages(RESIDENT).map((m) => m.text)).not.toContain("are you there?");
  });

  it("quick exit during the conversation ends it and tells the caseworker, without content", async () => {
    await talking();
    await h.say("/exit");
    await h.deliverQueued();
    expect((await h.core.referrals.get(1))?.status).toBe("claimed");
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toBe(
      h.core.content.translator.render("km", { key: "casework.resident_left", params: { case: "SP-0001" } }),
    );
    await h.say("hello again");
    expect(h.lastTexts(1)[0]).not.toBe("hello again");
  });
});

describe("escalation and digest (fake clock)", () => {
  it("re-posts an unclaimed urgent alert after 15 minutes, mentioning the supervisor", async () => {
    await refer("help.category_violence");
    h.advance(14 * 60_000);
    expect(await h.core.desk.escalateDue()).toBe(0);
    h.advance(60_000);
    expect(await h.core.desk.escalateDue()).toBe(1);
    await h.deliverQueued();
    const again = h.fake.botMessages(STAFF_CHAT).at(-1);
    expect(again?.text).toContain(t("casework.alert_again"));
    expect(again?.text).toContain("Vanna");
    const call = h.fake.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === STAFF_CHAT).at(-1);
    expect(call?.params.entities).toEqual([
      expect.objectContaining({ type: "text_mention", user: expect.objectContaining({ id: SUPERVISOR }) }),
    ]);
    // Claimed in time: no more re-posts.
    await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
    h.advance(60 * 60_000);
    expect(await h.core.desk.escalateDue()).toBe(0);
  });

  it("re-posts a normal alert after 4 working hours (nights and weekends do not count)", async () => {
    // Friday 2026-11-20 15:00 in Phnom Penh (08:00 UTC): 2 working hours left that day.
    h.advance(Date.parse("2026-11-20T08:00:00Z") - Date.parse("2026-11-21T03:00:00Z"));
    await refer("help.category_work");
    h.advance(4 * 3_600_000);
    expect(await h.core.desk.escalateDue()).toBe(0); // 19:00 Friday
    // Monday 2026-11-23 to 25 are Water Festival holidays; the 2 remaining hours fall on Thursday 26, 08:00-10:00.
    h.advance(Date.parse("2026-11-26T02:59:00Z") - Date.parse("2026-11-20T12:00:00Z"));
    expect(await h.core.desk.escalateDue()).toBe(0);
    h.advance(60_000);
    expect(await h.core.desk.escalateDue()).toBe(1);
  });

  it("posts one morning digest a day listing open cases and flagging the overdue", async () => {
    await refer("help.category_violence");
    h.advance(16 * 60_000);
    await h.core.desk.escalateDue();
    expect(await h.core.desk.postDigest("2026-11-21")).toBe(1);
    expect(await h.core.desk.postDigest("2026-11-21")).toBe(1);
    await h.deliverQueued();
    const digests = staffTexts().filter((text) => text.startsWith("☀️"));
    expect(digests).toHaveLength(1);
    expect(digests[0]).toContain("SP-0001");
    expect(digests[0]).toContain(t("casework.digest_overdue"));
  });
});

describe("staff registration", () => {
  it("an admin's one-time code registers a caseworker once; wrong, used and guessed codes are refused", async () => {
    await h.core.staff.register(6100, "admin", "Admin");
    h.fake.addUser({ id: 6100, first_name: "Admin" });
    h.fake.addUser({ id: 6101, first_name: "Chenda" });
    await h.sayAs(6100, "/invite caseworker");
    const code = /([A-Z2-9]{10})/.exec(h.fake.botMessages(6100).at(-1)?.text ?? "")?.[1] as string;
    expect(code).toHaveLength(10);

    await h.sayAs(6101, `/join ${code.toLowerCase()}`);
    expect(h.fake.botMessages(6101).at(-1)?.text).toBe(
      h.core.content.translator.render("km", {
        key: "casework.join_ok",
        params: { name: "Chenda", role: { key: "casework.role_caseworker" } },
      }),
    );
    expect((await h.core.staff.get(6101))?.role).toBe("caseworker");

    await h.sayAs(OUTSIDER, `/join ${code}`);
    expect(h.fake.botMessages(OUTSIDER).at(-1)?.text).toBe(t("casework.join_used"));
    for (let i = 0; i < 5; i++) await h.sayAs(OUTSIDER, "/join WRONGCODE1");
    expect(h.fake.botMessages(OUTSIDER).at(-1)?.text).toBe(t("casework.join_unknown"));
    expect(await h.core.staff.get(OUTSIDER)).toBeUndefined();
  });

  it("explains an empty /join or /invite, and answers a forged or unknown staff button as stale", async () => {
    await h.core.staff.register(6100, "admin", "Admin");
    h.fake.addUser({ id: 6100, first_name: "Admin" });
    await h.sayAs(OUTSIDER, "/join");
    expect(h.fake.botMessages(OUTSIDER).at(-1)?.text).toBe(t("casework.join_usage"));
    await h.sayAs(6100, "/invite boss");
    expect(h.fake.botMessages(6100).at(-1)?.text).toBe(t("casework.invite_usage"));
    await h.say("/start");
    await h.handle(h.fake.pressButton(RESIDENT, h.last()?.message_id as number, "k:z:1"));
    expect(h.callbackAnswers().at(-1)?.text).toBe(t("common.expired_short"));
    await h.handle(h.fake.pressButton(RESIDENT, h.last()?.message_id as number, "k:c:zz"));
    expect(h.callbackAnswers().at(-1)?.text).toBe(t("casework.not_allowed"));
  });

  it("staff commands typed by a resident get nothing privileged", async () => {
    await h.say("/start");
    await h.say("/invite admin");
    expect(h.lastTexts(2)[0]).toBe(t("common.unknown_command"));
    await h.say("/cases");
    expect(h.lastTexts(2)[0]).toBe(t("common.unknown_command"));
  });

  it("/cases lists a caseworker's own open cases", async () => {
    await refer();
    await h.pressAs(CASEWORKER, STAFF_CHAT, t("casework.button_claim"));
    await h.sayAs(CASEWORKER, "/cases");
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toContain("SP-0001");
  });
});
