/**
 * Get help, through the real bot (handleUpdate): needs, district, services, consent, referral, danger words from
 * any state, and quick exit.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buttonsOf, createHarness, type Harness, RESIDENT, STAFF_CHAT } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

const t = (key: string, locale: "km" | "en" = "km") => h.render(key, locale);

async function openHelp(category = "help.category_violence") {
  await h.say("/start");
  await h.press(t("main.choice_help"));
  await h.press(t(category));
}

/** Asks for a caseworker from the services screen, up to the confirmation screen, contact by this chat. */
async function consentByChat() {
  await h.press(t("help.want_caseworker"));
  await h.press(t("help.consent_yes"));
  await h.press(t("help.contact_telegram"));
  await h.press(t("help.time_evening"));
}

describe("get help: services", () => {
  it("asks the district once, lists the services for the need with source and year, nearest first", async () => {
    await openHelp("help.category_legal");
    expect(h.lastTexts(1)[0]).toBe(t("help.district_prompt"));
    await h.press(t("help.district_russey_keo"));
    const screen = h.lastTexts(1)[0] as string;
    expect(screen).toContain(t("help.services_intro"));
    // Legal Aid of Cambodia has its office in Russey Keo: listed first, with its address marked as near.
    const lac = screen.indexOf(t("directory.legal_aid_cambodia.name"));
    expect(lac).toBeGreaterThan(0);
    expect(lac).toBeLessThan(screen.indexOf(t("directory.police.name")));
    expect(screen).toContain("📍");
    expect(screen).toContain("023 864 201");
    expect(screen).toContain("ប្រភព៖ ២០១៥ · ពិនិត្យ ១១/២០២៦");
    expect(screen).toContain("1281");

    // The district is remembered: the next need goes straight to its services.
    await h.press(t("help.other_need"));
    await h.press(t("help.category_work"));
    expect(h.lastTexts(1)[0]).toContain("1297");
    expect(await h.core.conversations.districtOf(RESIDENT)).toBe("russey_keo");
    // ...and can be changed.
    await h.press(t("help.change_district"));
    await h.press(t("help.district_chbar_ampov"));
    expect(await h.core.conversations.districtOf(RESIDENT)).toBe("chbar_ampov");
    expect(h.lastTexts(1)[0]).not.toContain("📍");
  });

  it("sends every help screen discreetly, with the quick-exit button", async () => {
    await openHelp();
    await h.press(t("help.district_prek_pnov"));
    const message = h.last();
    expect(message?.protect_content).toBe(true);
    expect(message?.disable_notification).toBe(true);
    expect(buttonsOf(message).map((b) => b.text)).toContain(t("common.quick_exit"));
  });
});

describe("referral with consent", () => {
  it("records nothing when the resident says no", async () => {
    await openHelp();
    await h.press(t("help.district_prek_pnov"));
    await h.press(t("help.want_caseworker"));
    expect(h.lastTexts(1)[0]).toContain("យើងមិនផ្ញើសារ ឬឈ្មោះរបស់អ្នកទៅពួកគេទេ");
    await h.press(t("help.consent_no"));
    expect(h.lastTexts(1)[0]).toBe(t("help.consent_declined"));
    expect(await h.core.referrals.active()).toEqual([]);
    await h.deliverQueued();
    expect(h.fake.botMessages(STAFF_CHAT)).toEqual([]);
  });

  it("after a clear yes: a case number for the resident, a staff alert with no free text, name or phone", async () => {
    await openHelp();
    await h.press(t("help.district_russey_keo"));
    await h.press(t("help.want_caseworker"));
    await h.press(t("help.consent_yes"));
    await h.press(t("help.contact_call"));
    await h.say("ហៅខ្ញុំផង"); // not a phone number
    expect(h.lastTexts(2)[0]).toBe(t("help.phone_invalid"));
    await h.say("០១២ ៣៤៥ ៦៧៨");
    await h.press(t("help.time_morning"));
    const summary = h.lastTexts(1)[0] as string;
    expect(summary).toContain(t("help.summary_phone_given"));
    expect(summary).not.toMatch(/345|៣៤៥/);
    expect(await h.core.referrals.active()).toEqual([]); // nothing before "Send"
    await h.press(t("help.confirm_send"));
    expect(h.lastTexts(1)[0]).toContain("SP-០០០១");

    const [referral] = await h.core.referrals.active();
    expect(referral).toMatchObject({
      category: "violence",
      urgency: "urgent",
      district: "russey_keo",
      status: "open",
    });
    expect(await h.core.referrals.contactOf(referral?.id as number)).toEqual({
      method: "call",
      time: "morning",
      phone: "012345678",
    });
    // At rest the contact preference is ciphertext.
    const [raw] = (await rowsOf(h.core, "select contact_enc, consent_version from referrals")) as {
      contact_enc: string;
      consent_version: string;
    }[];
    expect(raw?.contact_enc).not.toContain("012345678");
    expect(raw?.consent_version).toMatch(/^[0-9a-f]{12}$/);
    // The phone number is gone from the conversation once the referral is made.
    expect((await h.core.conversations.load(RESIDENT))?.vars.help_phone ?? "").toBe("");

    await h.deliverQueued();
    const [alert] = h.fake.botMessages(STAFF_CHAT);
    expect(alert?.text).toContain("SP-0001");
    expect(alert?.text).toContain(t("help.category_violence"));
    expect(alert?.text).toContain(t("help.district_russey_keo"));
    expect(alert?.text).toContain(t("help.contact_call"));
    expect(alert?.text).not.toMatch(/012|345|Test/);
    expect(buttonsOf(alert).map((b) => b.text)).toEqual([t("casework.button_claim"), t("casework.button_resolve")]);
  });

  it("accepts the shared contact as the phone number, and keeps one open case per resident", async () => {
    await openHelp("help.category_documents");
    await h.press(t("help.district_elsewhere"));
    await h.press(t("help.want_caseworker"));
    await h.press(t("help.consent_yes"));
    await h.press(t("help.contact_sms"));
    await h.handle(h.fake.sendContact(RESIDENT, "+855 97 123 4567"));
    await h.press(t("help.time_any"));
    await h.press(t("help.confirm_send"));
    const [first] = await h.core.referrals.active();
    expect(first).toMatchObject({ urgency: "normal", category: "documents" });
    expect((await h.core.referrals.contactOf(first?.id as number))?.phone).toBe("0971234567");

    await h.press(t("common.main_menu"));
    await h.press(t("main.choice_help"));
    await h.press(t("help.category_documents"));
    await consentByChat();
    await h.press(t("help.confirm_send"));
    expect(h.lastTexts(1)[0]).toContain(t("help.already_open").split("{{")[0]?.slice(0, 20) as string);
    expect(await h.core.referrals.active()).toHaveLength(1);
  });
});

describe("danger from any state", () => {
  it.each([
    ["a menu", async () => h.press(t("main.choice_privacy"))],
    [
      "a phone question",
      async () => {
        await h.press(t("main.choice_help"));
        await h.press(t("help.category_health"));
        await h.press(t("help.district_prek_pnov"));
        await h.press(t("help.want_caseworker"));
        await h.press(t("help.consent_yes"));
        await h.press(t("help.contact_call"));
      },
    ],
  ])(
    "on %s, danger words get the emergency numbers first and the offer of an urgent caseworker",
    async (_where, arrive) => {
      await h.say("/start");
      await arrive();
      await h.say("ប្តី វាយ ខ្ញុំ");
      const [first, second] = h.lastTexts(2);
      expect(first).toBe(h.dangerLead(["gbv"]));
      expect(second).toContain("117");
      expect(buttonsOf(h.last()).map((b) => b.text)).toContain(t("emergency.ask_caseworker"));

      await h.press(t("emergency.ask_caseworker"));
      expect(h.lastTexts(1)[0]).toBe(t("help.consent_explain"));
      await h.press(t("help.consent_yes"));
      await h.press(t("help.contact_telegram"));
      await h.press(t("help.time_any"));
      await h.press(t("help.confirm_send"));
      expect((await h.core.referrals.active())[0]).toMatchObject({ category: "urgent", urgency: "urgent" });
    },
  );

  it("the very first message, before any welcome, gets the emergency numbers when it signals danger", async () => {
    await h.say("help me he is hitting me");
    expect(h.lastTexts(2)[0]).toBe(h.dangerLead(["gbv"]));
    expect(h.lastTexts(1)[0]).toContain("117");
  });

  it("an information question about violence gets information, not the emergency screen", async () => {
    await h.say("/start");
    await h.say("អំពើហិង្សាក្នុងគ្រួសារ គឺជាអ្វី?");
    expect(h.lastTexts(2)[0]).toBe(`${t("knowledge.found")}\n\n${h.safetyNet()}`);
  });
});

describe("quick exit", () => {
  it("/exit deletes the chat's last 48 hours, both sides, forgets the state, leaves one neutral message", async () => {
    await h.say("/start"); // message ids 1 (resident) and 2-4 (bot)
    h.advance(49 * 3_600_000); // those are now too old to delete
    await openHelp();
    const recent = h.fake
      .chatLog(RESIDENT)
      .filter((m) => m.message_id > 4)
      .map((m) => m.message_id);
    const started = performance.now();
    await h.say("/exit");
    const elapsed = performance.now() - started;
    const calls = h.fake.calls.filter((c) => c.method === "deleteMessages");
    const deleted = calls.flatMap((c) => c.params.message_ids as number[]);
    expect(deleted.sort((a, b) => a - b)).toEqual([...recent, Math.max(...recent) + 1].sort((a, b) => a - b));
    expect(deleted.some((id) => id <= 4)).toBe(false);
    expect(
      h.fake
        .chatLog(RESIDENT)
        .filter((m) => m.message_id > 4 && !m.deleted)
        .map((m) => m.text),
    ).toEqual([t("common.exit_neutral")]);
    expect(await h.core.conversations.load(RESIDENT)).toBeUndefined();
    expect(elapsed).toBeLessThan(3000);
  });

  it("the 🚪 button does the same; QUICK_EXIT_MESSAGE=none leaves the chat empty", async () => {
    await h.close();
    h = await createHarness({ QUICK_EXIT_MESSAGE: "none" });
    await openHelp();
    await h.press(t("common.quick_exit"));
    expect(h.fake.chatLog(RESIDENT).filter((m) => !m.deleted)).toEqual([]);
    expect(h.callbackAnswers().at(-1)?.text).toBeUndefined();
  });

  it("clears 50 messages with one request, well under 3 seconds", async () => {
    await h.say("/start");
    for (let i = 0; i < 16; i++) await h.say("ok");
    const before = h.fake.chatLog(RESIDENT).filter((m) => !m.deleted).length;
    expect(before).toBeGreaterThanOrEqual(50);
    const started = performance.now();
    await h.say("/exit");
    expect(performance.now() - started).toBeLessThan(3000);
    expect(h.fake.calls.filter((c) => c.method === "deleteMessages")).toHaveLength(1);
    expect(
      h.fake
        .chatLog(RESIDENT)
        .filter((m) => !m.deleted)
        .map((m) => m.text),
    ).toEqual([t("common.exit_neutral")]);
  });
});
