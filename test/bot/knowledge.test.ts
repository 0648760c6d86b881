import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buttonsOf,
  CASEWORKER,
  createHarness,
  type Harness,
  OUTSIDER,
  RESIDENT,
  STAFF_CHAT,
} from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.say("/start");
});
afterEach(() => h.close());

const labels = () => buttonsOf(h.last()).map((b) => b.text);
const title = (id: string) => h.render(`articles.${id}.title`);
const questionRows = () => rowsOf(h.core, "select answered_with, text_enc, vote from questions order by id");
/** A registered caseworker (see the harness); OUTSIDER is in the staff group but not registered. */
const STAFF_MEMBER = CASEWORKER;

describe("browsing", () => {
  it("main menu → topics → topic → article → next page → last page with votes, related and counsellor", async () => {
    await h.press(h.render("main.choice_info"));
    expect(h.lastTexts(1)[0]).toBe(h.render("knowledge.topics_prompt"));
    await h.press(h.render("knowledge.topics.documents"));
    expect(labels()).toContain(title("passport"));
    await h.press(title("passport"));
    expect(h.lastTexts(1)[0]).toBe(`${title("passport")}\n\n${h.render("articles.passport.p1")}`);
    expect(labels()).toContain(h.render("knowledge.next_page"));
    expect(labels()).not.toContain(h.render("knowledge.vote_up"));
    await h.press(h.render("knowledge.next_page"));
    expect(h.lastTexts(1)[0]).toBe(h.render("articles.passport.p2"));
    expect(labels()).toEqual(
      expect.arrayContaining([
        h.render("knowledge.vote_up"),
        h.render("knowledge.vote_down"),
        h.render("knowledge.talk_to_counsellor"),
        h.render("common.back"),
        h.render("common.main_menu"),
      ]),
    );
    // related articles, as buttons titled with the article's title
    const related = h.core.content.knowledge.articles.get("passport")?.related ?? [];
    expect(labels()).toContain(
      h.core.content.translator.render("km", {
        key: "knowledge.related",
        params: { title: { key: `articles.${related[0]}.title` } },
      }),
    );
  });

  it("👍 and 👎 sit on one row", async () => {
    await h.press(h.render("main.choice_info"));
    await h.press(h.render("knowledge.topics.labour"));
    await h.press(title("minimum_wage"));
    const rows = (h.last()?.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard;
    expect(
      rows.some(
        (row) =>
          row.map((b) => b.text).join("|") === `${h.render("knowledge.vote_up")}|${h.render("knowledge.vote_down")}`,
      ),
    ).toBe(true);
  });

  it("a related article opens, and Back returns to the page before", async () => {
    await h.press(h.render("main.choice_info"));
    await h.press(h.render("knowledge.topics.labour"));
    await h.press(title("minimum_wage"));
    const relatedLabel = labels().find((l) => l.startsWith("📄")) as string;
    await h.press(relatedLabel);
    const opened = (await h.core.conversations.load(RESIDENT))?.node as string;
    expect(opened).toMatch(/^kb\.a_[a-z_]+_1$/);
    await h.press(h.render("common.back"));
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("kb.a_minimum_wage_1");
  });

  it("a sensitive article is sent discreetly (no forwarding, no notification sound)", async () => {
    await h.press(h.render("main.choice_info"));
    await h.press(h.render("knowledge.topics.safety"));
    await h.press(title("domestic_violence"));
    const sent = h.fake.calls.filter((c) => c.method === "sendMessage").at(-1)?.params as Record<string, unknown>;
    expect(sent.protect_content).toBe(true);
    expect(sent.disable_notification).toBe(true);
  });

  it("the counsellor button opens booking", async () => {
    await h.press(h.render("main.choice_info"));
    await h.press(h.render("knowledge.talk_to_counsellor"));
    expect(h.core.content.knowledge.counsellor).toBe("booking.start");
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("booking.topic");
  });
});

describe("typed questions", () => {
  it("answers with the best article, offers alternatives, and records the question", async () => {
    await h.say("ធ្វើលិខិតឆ្លងដែនអស់ប៉ុន្មាន");
    const [found, article] = h.lastTexts(2);
    expect(found).toBe(`${h.render("knowledge.found")}\n\n${h.safetyNet()}`);
    expect(article?.startsWith(title("passport"))).toBe(true);
    const rows = await questionRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.answered_with).toBe("passport");
    expect(rows[0]?.text_enc).not.toContain("លិខិត"); // stored encrypted
  });

  it("offers up to two other answers as buttons on the answer", async () => {
    await h.say("ប័ណ្ណសមធម៌");
    const others = labels().filter((l) => l.startsWith("🔎"));
    expect(others.length).toBeGreaterThan(0);
    expect(others.length).toBeLessThanOrEqual(2);
    await h.press(others[0] as string);
    expect((await h.core.conversations.load(RESIDENT))?.node).toMatch(/^kb\.a_[a-z_]+_1$/);
  });

  it("understands Khmer digits, zero-width spaces and English words inside Khmer", async () => {
    await h.say("ប្រាក់ខែ​អប្បបរមា​ឆ្នាំ២០២៦");
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("kb.a_minimum_wage_1");
    await h.say("ស្នើសុំIDPoorនៅណា");
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("kb.a_idpoor_register_1");
  });

  it("admits when it is not sure, shows the topics and a counsellor, and logs the question as unanswered", async () => {
    await h.say("ឡានក្រុងទៅសៀមរាបម៉ោងប៉ុន្មាន");
    expect(h.lastTexts(2)).toEqual([
      `${h.render("knowledge.not_sure")}\n\n${h.safetyNet()}`,
      h.render("knowledge.topics_prompt"),
    ]);
    expect(labels()).toContain(h.render("knowledge.talk_to_counsellor"));
    expect((await questionRows())[0]?.answered_with).toBeNull();
  });

  it("when not sure but with good guesses, offers them above the topics, never as the answer", async () => {
    await h.say("ថ្លៃទឹកភ្លើង"); // "the water-and-power bill": two articles fit, neither surely
    expect(h.lastTexts(2)).toEqual([
      `${h.render("knowledge.not_sure")}

${h.safetyNet()}`,
      h.render("knowledge.suggest_prompt"),
    ]);
    const guess = (id: string) =>
      h.renderRef({ key: "knowledge.other_answer", params: { title: { key: `articles.${id}.title` } } });
    expect(new Set(labels().slice(0, 2))).toEqual(new Set([guess("water_supply"), guess("electricity")]));
    expect(labels()).toEqual(
      expect.arrayContaining([h.render("knowledge.topics.documents"), h.render("knowledge.talk_to_counsellor")]),
    );
    expect((await questionRows())[0]?.answered_with).toBeNull();
    await h.press(guess("electricity"));
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("kb.a_electricity_1");
    // A guess opened is not the search's answer: no 🔎 alternatives beside it (and 👍 / 👎 do not rate the question).
    expect(buttonsOf(h.last()).some((b) => b.text.startsWith("🔎"))).toBe(false);
  });

  it("offers no guesses for a question nothing in the knowledge base is about", async () => {
    await h.say("ឆ្កែខ្ញុំបាត់");
    expect(h.lastTexts(1)).toEqual([h.render("knowledge.topics_prompt")]);
  });

  it("a message that signals danger gets the emergency numbers, never an article", async () => {
    await h.say("ប្ដីវាយខ្ញុំ ជួយផង");
    const [danger, numbers] = h.lastTexts(2);
    expect(danger).toBe(h.dangerLead(["gbv"]));
    expect(numbers).toContain("117");
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("emergency.numbers");
    expect(await questionRows()).toHaveLength(0);
  });

  it("records 👍 / 👎 on the article, and on the question it answered", async () => {
    await h.say("ម៉ោងបន្ថែម");
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("kb.a_working_hours_1");
    await h.press(h.render("knowledge.vote_down"));
    expect(h.lastTexts(1)[0]).toBe(h.render("knowledge.thanks_down"));
    expect((await questionRows())[0]?.vote).toBe("down");
    await h.press(h.render("knowledge.more_topics"));
    await h.press(h.render("knowledge.topics.labour"));
    await h.press(title("minimum_wage"));
    await h.press(h.render("knowledge.vote_up"));
    expect(await h.core.knowledge.summary(30)).toEqual({ asked: 1, unanswered: 0, up: 1, down: 1 });
  });

  it("erases question text after the retention period but keeps the row", async () => {
    await h.say("ម៉ោងបន្ថែម");
    h.advance(91 * 86_400_000);
    expect(await h.core.knowledge.purge(90)).toBe(1);
    expect((await questionRows())[0]?.text_enc).toBeNull();
  });
});

describe("staff report (/questions)", () => {
  it("in the staff chat: unanswered and 👎 questions with counts, sent discreetly", async () => {
    await h.say("ឡានក្រុងទៅសៀមរាបម៉ោងប៉ុន្មាន");
    await h.say("ម៉ោងបន្ថែម");
    await h.press(h.render("knowledge.vote_down"));
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, STAFF_MEMBER, "/questions"));
    const report = h.fake.botMessages(STAFF_CHAT).at(-1);
    expect(report?.text).toContain("ឡានក្រុងទៅសៀមរាប");
    expect(report?.text).toContain("ម៉ោងបន្ថែម");
    expect(report?.text).toContain(h.render("knowledge.report_unanswered"));
    expect(report?.text).toContain("សួរ ២");
    const sent = h.fake.calls.filter((c) => c.method === "sendMessage").at(-1)?.params as Record<string, unknown>;
    expect(sent.protect_content).toBe(true);
  });

  it("says so when there is nothing to report", async () => {
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, STAFF_MEMBER, "/questions"));
    expect(h.fake.botMessages(STAFF_CHAT).at(-1)?.text).toContain(h.render("knowledge.report_empty"));
  });

  it("a resident typing /questions gets nothing privileged", async () => {
    await h.say("ឡានក្រុងទៅសៀមរាបម៉ោងប៉ុន្មាន");
    await h.say("/questions");
    expect(h.lastTexts(2)[0]).toBe(h.render("common.unknown_command"));
    expect(h.fake.botMessages(RESIDENT).some((m) => (m.text ?? "").includes("ឡានក្រុង"))).toBe(false);
  });

  it("an unregistered member of the staff group gets nothing (the questions are residents' words)", async () => {
    await h.say("ឡានក្រុងទៅសៀមរាបម៉ោងប៉ុន្មាន");
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, OUTSIDER, "/questions"));
    expect(h.fake.botMessages(STAFF_CHAT)).toEqual([]);
  });

  it("in another group, /questions is ignored", async () => {
    h.fake.addGroup(-4999, "Some other group");
    await h.handle(h.fake.sendGroupText(-4999, STAFF_MEMBER, "/questions"));
    expect(h.fake.botMessages(-4999)).toEqual([]);
  });
});
