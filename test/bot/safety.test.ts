/**
 * Safety through the real bot (handleUpdate): the danger screen with the number that fits first, the "Are you safe
 * right now?" check-in and its two answers, requests for a number, the safety net under other answers, danger from
 * every state, and the counts staff see in /questions. Messages here are examples of each outcome, not the corpus.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buttonsOf,
  CASEWORKER,
  createHarness,
  type Harness,
  RESIDENT,
  STAFF_CHAT,
  startTalking,
} from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

const t = (key: string, locale: "km" | "en" = "km") => h.render(key, locale);
const labels = () => buttonsOf(h.last()).map((b) => b.text);
const node = async () => (await h.core.conversations.load(RESIDENT))?.node;
const sent = () =>
  h.fake.calls.filter((c) => c.method === "sendMessage").map((c) => c.params as Record<string, unknown>);

describe("danger: the number that fits first", () => {
  it.each([
    ["a child not breathing", "កូនខ្ញុំមិនដកដង្ហើម ជួយផង", "medical", "119"],
    ["a snake bite, romanised", "pous chek kon knhom", "medical", "119"],
    ["a child beaten", "ឪពុកចុងវាយកូនខ្ញុំរាល់ថ្ងៃ", "child_abuse", "1280"],
    ["a passport kept and not allowed to leave", "ថៅកែយកលិខិតឆ្លងដែនខ្ញុំ ហើយមិនឲ្យចេញទៅណា", "trafficking", "1288"],
    ["a plan to end one's life", "ខ្ញុំចង់សម្លាប់ខ្លួនយប់នេះ", "suicide", "097 911 1918"],
    ["a husband, chat spelling", "ប្តីញុំវ៉ៃញុំទៀតហើយ", "gbv", "117"],
    // Forced online scams, beaten for a missed target: the rules read the beating, the model adds the trafficking line.
    ["a scam compound's beating", "គេបង្ខំឲ្យបោកអនឡាញ បើមិនបានគោលដៅគេវាយ ជួយផងបង", "gbv", "1288"],
  ] as const)("%s gets the %s lead, naming %s, then the emergency screen", async (_what, text, kind, number) => {
    await h.say("/start");
    await h.say(text);
    const [lead, screen] = h.lastTexts(2);
    expect(lead).toBe(h.dangerLead(h.core.content.classifyDanger(text).kinds ?? []));
    expect(lead?.startsWith(t(`safety.lead.${kind}`).slice(0, 12))).toBe(true);
    expect(lead).toContain(number);
    expect(screen).toContain(t("emergency.intro"));
    expect(labels()).toContain(t("emergency.ask_caseworker"));
    expect(await node()).toBe("emergency.numbers");
    // Discreet: silent and not forwardable.
    expect(sent().at(-2)).toMatchObject({ protect_content: true, disable_notification: true });
  });

  it("lists fitting numbers first on the emergency screen too (a child: Child Helpline before police)", async () => {
    await h.say("ឪពុកចុងវាយកូនខ្ញុំរាល់ថ្ងៃ");
    const screen = h.lastTexts(1)[0] as string;
    expect(screen.indexOf("\n1280\n")).toBeLessThan(screen.indexOf("\n117\n")); // each number alone on its line
    expect(screen.indexOf("\n1280\n")).toBeGreaterThan(-1);
  });

  it("writes every number in Latin digits, whatever the resident's digits", async () => {
    await h.say("គេវាយខ្ញុំ ១២ ដង");
    const [lead] = h.lastTexts(2);
    expect(lead).toContain("117");
    expect(lead).not.toMatch(/១១៧/);
  });

  it("in English, for an English speaker", async () => {
    await h.say("/start");
    await h.press(t("main.choice_language"));
    await h.press(t("main.language_en"));
    await h.say("my husband is beating me right now");
    expect(h.lastTexts(2)[0]).toBe(h.dangerLead(["gbv"], "en"));
  });
});

describe("danger that asks about a topic: its article beside the emergency screen", () => {
  const CHILD_BEATEN_WHO_TO_TELL = "ក្មេងត្រូវគេធ្វើបាប ប្ដឹងណា";
  const readButton = (id: string) =>
    h.renderRef({ key: "knowledge.beside_danger", params: { title: { key: `articles.${id}.title` } } });
  const questionCount = async () => (await rowsOf(h.core, "select id from questions")).length;

  it("offers the article the search is sure of under the numbers, and the button opens it", async () => {
    await h.say("/start");
    await h.say(CHILD_BEATEN_WHO_TO_TELL);
    const [lead, screen] = h.lastTexts(2);
    expect(lead).toContain("1280");
    expect(screen).toContain(t("emergency.intro"));
    // The caseworker offer stays first; the article comes after it.
    expect(labels().slice(0, 2)).toEqual([t("emergency.ask_caseworker"), readButton("child_protection")]);
    await h.press(readButton("child_protection"));
    expect(await node()).toBe("kb.a_child_protection_1");
    expect(h.lastTexts(1)[0]).toContain(t("articles.child_protection.p1").slice(0, 40));
  });

  it("offers nothing when the search is not sure of a danger article (a medical emergency)", async () => {
    await h.say("កូនខ្ញុំមិនដកដង្ហើម ជួយផង");
    expect(await node()).toBe("emergency.numbers");
    expect(labels().filter((l) => l.startsWith("📖"))).toEqual([]);
  });

  it("forgets the offer when the screen is left: the 🆘 button later shows the numbers alone", async () => {
    await h.say(CHILD_BEATEN_WHO_TO_TELL);
    await h.say("/menu");
    expect((await h.core.conversations.load(RESIDENT))?.vars.danger_offer).toBeUndefined();
    await h.say("/emergency");
    expect(labels()).not.toContain(readButton("child_protection"));
  });

  it("an article button pressed after the screen was left is old: no article, nothing answered twice", async () => {
    await h.say(CHILD_BEATEN_WHO_TO_TELL);
    const offered = h.last();
    const button = buttonsOf(offered).find((b) => b.text === readButton("child_protection")) as {
      callback_data: string;
    };
    await h.say("/menu");
    await h.handle(h.fake.pressButton(RESIDENT, offered?.message_id as number, button.callback_data));
    expect(h.lastTexts(2)[0]).toBe(t("common.expired"));
    expect(await node()).not.toBe("kb.a_child_protection_1");
  });

  it("never records the danger message as a question for the /questions report", async () => {
    const before = await questionCount();
    await h.say(CHILD_BEATEN_WHO_TO_TELL);
    expect(labels()).toContain(readButton("child_protection"));
    expect(await questionCount()).toBe(before);
  });

  it("in English, for an English speaker", async () => {
    await h.say("/start");
    await h.press(t("main.choice_language"));
    await h.press(t("main.language_en"));
    await h.say("my husband is beating me right now");
    expect(buttonsOf(h.last()).map((b) => b.text)).toContain(
      h.renderRef(
        { key: "knowledge.beside_danger", params: { title: { key: "articles.domestic_violence.title" } } },
        "en",
      ),
    );
  });
});

describe("possible danger: 'Are you safe right now?'", () => {
  const UNSURE = "flood help";

  it("asks once, already showing 117 and 119, with two buttons", async () => {
    await h.say("/start");
    await h.say(UNSURE);
    const check = h.lastTexts(1)[0] as string;
    expect(check).toContain(t("safety.check_prompt"));
    expect(check).toContain("117");
    expect(check).toContain("119");
    expect(labels()).toEqual(expect.arrayContaining([t("safety.help_now"), t("safety.im_safe")]));
    expect(await node()).toBe("safety.check");
  });

  it("'I'm safe' answers the message they typed, without retyping", async () => {
    await h.say("/start");
    await h.say(UNSURE);
    await h.press(t("safety.im_safe"));
    // The flood article answers the held question.
    expect(h.lastTexts(2)[0]).toBe(`${t("knowledge.found")}\n\n${h.safetyNet()}`);
    expect(await node()).toBe("kb.a_floods_1");
    // The held text is gone from the conversation once answered.
    expect((await h.core.conversations.load(RESIDENT))?.vars.safety_text).toBeUndefined();
  });

  it("'I'm safe' on a booking screen answers the text as that screen would have", async () => {
    await h.say("/start");
    await h.press(t("main.choice_book"));
    await h.press(t("booking.topic_family"));
    await h.press(t("booking.site_phone"));
    await h.say(UNSURE);
    expect(await node()).toBe("safety.check");
    await h.press(t("safety.im_safe"));
    // The days screen reads it as it reads any typed text: not a day it knows, so the days again.
    expect(await node()).toBe("booking.day");
  });

  it("'I need help now' gives the lead, the emergency screen and the urgent caseworker offer", async () => {
    await h.say(UNSURE);
    await h.press(t("safety.help_now"));
    const [lead, screen] = h.lastTexts(2);
    expect(lead).toContain("117");
    expect(screen).toContain(t("emergency.intro"));
    expect(labels()).toContain(t("emergency.ask_caseworker"));
    expect((await h.core.conversations.load(RESIDENT))?.vars.safety_text).toBeUndefined();
    expect((await h.core.conversations.load(RESIDENT))?.vars.safety_kind).toBeUndefined();
  });

  it("leaving the check-in another way forgets the held message", async () => {
    await h.say(UNSURE);
    expect((await h.core.conversations.load(RESIDENT))?.vars.safety_text).toBe(UNSURE);
    await h.say("/menu");
    expect((await h.core.conversations.load(RESIDENT))?.vars.safety_text).toBeUndefined();
  });

  it("a stale 'I'm safe' button does not answer a question twice", async () => {
    await h.say(UNSURE);
    await h.press(t("safety.im_safe"));
    const before = h.fake.botMessages(RESIDENT).length;
    const stale = [...h.fake.botMessages(RESIDENT)]
      .reverse()
      .find((m) => buttonsOf(m).some((b) => b.text === t("safety.im_safe")));
    const button = buttonsOf(stale).find((b) => b.text === t("safety.im_safe")) as { callback_data: string };
    await h.handle(h.fake.pressButton(RESIDENT, stale?.message_id as number, button.callback_data));
    expect(h.lastTexts(2)[0]).toBe(t("common.expired"));
    expect(h.fake.botMessages(RESIDENT).length).toBe(before + 2);
  });
});

describe("asking for a number", () => {
  it.each([
    "police",
    "ប៉ូលិស",
    "លេខប៉ូលិស",
    "lek police",
    "call an ambulance",
    "ហៅឡានពេទ្យ",
    "លេខទូរស័ព្ទជំនួយកុមារ",
    "number to report trafficking",
  ])("%s goes straight to the emergency numbers, without the danger lead", async (text) => {
    await h.say("/start");
    await h.say(text);
    const screen = h.lastTexts(1)[0] as string;
    expect(screen).toContain(t("emergency.intro"));
    expect(screen).toContain("117");
    expect(h.lastTexts(2)[0]).not.toContain(t("safety.lead.threat").slice(0, 12));
    expect(await node()).toBe("emergency.numbers");
  });
});

describe("not danger: the normal answer", () => {
  it.each([
    ["an idiom", "ថ្ងៃនេះក្តៅស្លាប់ហើយ"],
    ["'please' in a question", "ជួយប្រាប់ផងថាធ្វើអត្តសញ្ញាណប័ណ្ណយ៉ាងម៉េច"],
    ["a baby that kicks", "កូនធាក់ពោះខ្ញុំរាល់យប់ ធម្មតាទេ"],
    ["an impounded motorbike", "ប៉ូលិសចាប់ម៉ូតូខ្ញុំ ត្រូវបង់ប៉ុន្មាន"],
    ["a lost birth certificate", "សំបុត្រកំណើតកូនខ្ញុំបាត់ ធ្វើម៉េច"],
    ["an outreach worker", "how do I explain domestic violence to women in my community"],
  ])("%s is answered, not sent to the emergency screen", async (_what, text) => {
    await h.say("/start");
    await h.say(text);
    expect(await node()).not.toBe("emergency.numbers");
    expect(await node()).not.toBe("safety.check");
  });
});

describe("the safety net where the classifier may be blind", () => {
  it("a voice note gets the 117 / 119 line and the 🆘 'I need help now' button", async () => {
    await h.say("/start");
    await h.handle(h.fake.sendOther(RESIDENT, "voice"));
    expect(h.lastTexts(1)[0]).toBe(`${t("media.prompt")}\n\n${h.safetyNet()}`);
    expect(h.safetyNet()).toContain("117");
    expect(h.safetyNet()).toContain("119");
    expect(labels()).toContain(t("media.urgent"));
  });

  it("a danger message after the 4,000th character of a long message is still found", async () => {
    const padding = "សួស្តី ".repeat(600).slice(0, 4050);
    await h.say(`${padding} ប្តីវាយខ្ញុំ`);
    expect(await node()).toBe("emergency.numbers");
  });
});

describe("danger from every state", () => {
  it("on an article page", async () => {
    await h.say("/start");
    await h.say("ម៉ោងបន្ថែម");
    expect(await node()).toMatch(/^kb\./);
    await h.say("កូនខ្ញុំលង់ទឹក");
    expect(await node()).toBe("emergency.numbers");
    expect(h.lastTexts(2)[0]).toContain("119");
  });

  it("on a booking screen, where typed text is read as a day", async () => {
    await h.say("/start");
    await h.press(t("main.choice_book"));
    await h.press(t("booking.topic_family"));
    await h.press(t("booking.site_phone"));
    expect(await node()).toBe("booking.day");
    await h.say("គេចាប់រំលោភខ្ញុំ");
    expect(await node()).toBe("emergency.numbers");
    expect(h.lastTexts(2)[0]).toBe(h.dangerLead(["sexual_violence"]));
  });

  it("on the phone question, a number request only the model heard is read as the answer; others are not", async () => {
    await h.say("/start");
    await h.press(t("main.choice_help"));
    await h.press(t("help.category_legal"));
    await h.press(t("help.district_russey_keo"));
    await h.press(t("help.want_caseworker"));
    await h.press(t("help.consent_yes"));
    await h.press(t("help.contact_call"));
    const question = await node();
    await h.say("lek tursap kapea komar"); // the model's request (test/unit/danger-classifier.test.ts)
    expect(await node()).toBe(question);
    expect(h.lastTexts(2)[0]).toBe(t("help.phone_invalid"));
    await h.say("លេខប៉ូលិស"); // the rules' request
    expect(await node()).toBe("emergency.numbers");
  });

  it("while talking with a caseworker: the bot answers and the caseworker sees the message", async () => {
    await startTalking(h);
    await h.say("ខ្ញុំចង់សម្លាប់ខ្លួន");
    await h.deliverQueued();
    expect(h.lastTexts(2)[0]).toBe(h.dangerLead(["suicide"]));
    expect(h.fake.botMessages(CASEWORKER).at(-1)?.text).toBe("ខ្ញុំចង់សម្លាប់ខ្លួន");
  });
});

describe("what staff see (/questions)", () => {
  it("counts check-ins, 'I'm safe' and 'I need help now' per week, never the words", async () => {
    await h.say("flood help");
    await h.press(t("safety.im_safe"));
    await h.say("flood help");
    await h.press(t("safety.help_now"));
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, CASEWORKER, "/questions"));
    const report = h.fake.botMessages(STAFF_CHAT).at(-1)?.text ?? "";
    expect(report).toContain(t("knowledge.report_safety_title"));
    expect((await h.core.safety.weekly(1))[0]).toMatchObject({ shown: 2, safe: 1, help: 1 });
    expect(report).toContain("សួរ ២ ដង");
  });
});
