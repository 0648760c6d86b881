/**
 * Teaching the search (/teach, ✅ / ❌, /wordings, /unteach) in the staff chat: a staff member's own words lead to
 * an article once another person, a supervisor, approves them; a resident's message, a danger message, a long
 * number or a whole paragraph is never taught.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toKhmerDigits } from "../../src/khmer/digits.ts";
import {
  buttonsOf,
  CASEWORKER,
  createHarness,
  type Harness,
  OUTSIDER,
  STAFF_CHAT,
  SUPERVISOR,
} from "../helpers/harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.say("/start");
});
afterEach(() => h.close());

/** A phrase no article uses, so that the search is not sure about it until it is taught. */
const WORDING = "ក្រដាសពណ៌ខៀវ";
const staffSays = (userId: number, text: string) => h.handle(h.fake.sendGroupText(STAFF_CHAT, userId, text));
const lastStaffText = () => h.fake.botMessages(STAFF_CHAT).at(-1)?.text ?? "";
const answeredWith = () => h.core.searchIndex.search(WORDING, 1);
/** The toast or pop-up of the last button press. */
const lastNotice = () =>
  (h.fake.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)?.params as { text?: string } | undefined)
    ?.text;
/** The start of a text key, up to its first parameter: enough to tell which reply came. */
const opening = (key: string) => h.render(key).split("{{")[0] as string;

describe("teaching the search a wording", () => {
  it("a caseworker proposes, a supervisor approves, and the next resident asking gets the article", async () => {
    expect(answeredWith().confident).toBe(false);
    await staffSays(CASEWORKER, `/teach family_book ${WORDING}`);
    expect(lastStaffText()).toContain(WORDING);
    expect(lastStaffText()).toContain(h.render("articles.family_book.title"));
    expect(await h.core.wordings.list(["pending"])).toHaveLength(1);
    await h.pressAs(SUPERVISOR, STAFF_CHAT, h.render("knowledge.teach_approve"));
    expect(lastStaffText()).toContain("Vanna");
    expect(await h.core.wordings.list(["approved"])).toHaveLength(1);
    expect(answeredWith()).toMatchObject({ confident: true, hits: [{ id: "family_book" }] });
    await h.say(WORDING);
    expect(h.lastTexts(2).join("\n")).toContain(h.render("articles.family_book.title"));
  });

  it("the proposer cannot approve their own wording, and a caseworker cannot approve at all", async () => {
    await staffSays(SUPERVISOR, `/teach family_book ${WORDING}`);
    await h.pressAs(SUPERVISOR, STAFF_CHAT, h.render("knowledge.teach_approve"));
    expect(lastNotice()).toBe(h.render("knowledge.teach_own"));
    await h.pressAs(CASEWORKER, STAFF_CHAT, h.render("knowledge.teach_approve"));
    expect(lastNotice()).toBe(h.render("knowledge.teach_not_allowed"));
    expect(await h.core.wordings.list(["pending"])).toHaveLength(1);
    expect(answeredWith().confident).toBe(false);
  });

  it("a rejected wording is never used, and a second press says it was already decided", async () => {
    await staffSays(CASEWORKER, `/teach family_book ${WORDING}`);
    const card = h.fake.botMessages(STAFF_CHAT).at(-1)!;
    const approve = buttonsOf(card).find((b) => b.text === h.render("knowledge.teach_approve"))!.callback_data;
    await h.pressAs(SUPERVISOR, STAFF_CHAT, h.render("knowledge.teach_reject"));
    expect(await h.core.wordings.list(["rejected"])).toHaveLength(1);
    expect(answeredWith().confident).toBe(false);
    // The ✅ of the same card, pressed late (another phone still showing the old keyboard).
    await h.handle(h.fake.pressButton(SUPERVISOR, card.message_id, approve, STAFF_CHAT));
    expect(lastNotice()).toBe(h.render("knowledge.teach_reviewed_already"));
    expect(await h.core.wordings.list(["approved"])).toEqual([]);
  });

  it("a forged or unknown wording button changes nothing", async () => {
    await staffSays(CASEWORKER, `/teach family_book ${WORDING}`);
    const card = h.fake.botMessages(STAFF_CHAT).at(-1)!;
    for (const data of ["w:a:zzzzzz", "w:q:1", "w:a:"]) {
      await h.handle(h.fake.pressButton(SUPERVISOR, card.message_id, data, STAFF_CHAT));
      expect(lastNotice()).toBe(h.render("common.expired_short"));
    }
    expect(await h.core.wordings.list(["pending"])).toHaveLength(1);
  });

  it("/unteach with no number, a word or an unknown number explains and removes nothing", async () => {
    await staffSays(SUPERVISOR, "/unteach");
    expect(lastStaffText()).toBe(h.render("knowledge.unteach_usage"));
    await staffSays(SUPERVISOR, "/unteach ពីរ");
    expect(lastStaffText()).toBe(h.render("knowledge.unteach_usage"));
    await staffSays(SUPERVISOR, "/unteach 999");
    expect(lastStaffText().startsWith(opening("knowledge.unteach_missing"))).toBe(true);
  });

  it("/unteach removes an approved wording, and /wordings lists what is taught and waiting", async () => {
    await staffSays(CASEWORKER, `/teach family_book ${WORDING}`);
    await h.pressAs(SUPERVISOR, STAFF_CHAT, h.render("knowledge.teach_approve"));
    await staffSays(CASEWORKER, "/teach passport ប្រអប់ក្រហម");
    await staffSays(CASEWORKER, "/wordings");
    expect(lastStaffText()).toContain(WORDING);
    expect(lastStaffText()).toContain("ប្រអប់ក្រហម");
    const id = (await h.core.wordings.list(["approved"]))[0]?.id as number;
    await staffSays(CASEWORKER, `/unteach ${id}`);
    expect(await h.core.wordings.list(["approved"])).toHaveLength(1); // a caseworker may not remove
    await staffSays(SUPERVISOR, `/unteach #${toKhmerDigits(String(id))}`); // as /wordings shows it, in Khmer digits
    expect(await h.core.wordings.list(["approved"])).toHaveLength(0);
    expect(answeredWith().confident).toBe(false);
  });
});

describe("what is never taught", () => {
  const refused = async (command: string, key: string) => {
    await staffSays(CASEWORKER, command);
    expect(lastStaffText().startsWith(opening(key))).toBe(true);
    expect(await h.core.wordings.list(["pending", "approved"])).toEqual([]);
  };

  it("a resident's exact question", async () => {
    await h.say(`${WORDING} យកទៅណា`);
    await refused(`/teach family_book ${WORDING} យកទៅណា`, "knowledge.teach_resident_text");
  });

  it("a whole message, a phone number, only common words, a danger message, an unknown article", async () => {
    await refused(`/teach family_book ${"ពាក្យ ".repeat(12)}`, "knowledge.teach_too_long");
    await refused("/teach family_book លេខ 012 345 678", "knowledge.teach_number");
    await refused("/teach family_book ខ្ញុំចង់ដឹង", "knowledge.teach_no_words");
    await refused("/teach domestic_violence ប្តីវាយខ្ញុំឥឡូវនេះ", "knowledge.teach_danger");
    await refused(`/teach no_such_article ${WORDING}`, "knowledge.teach_unknown_article");
    await refused("/teach", "knowledge.teach_usage");
  });

  it("an unregistered member of the staff group cannot teach", async () => {
    await staffSays(OUTSIDER, `/teach family_book ${WORDING}`);
    expect(await h.core.wordings.list(["pending"])).toEqual([]);
  });

  it("the same wording twice for one article", async () => {
    await staffSays(CASEWORKER, `/teach family_book ${WORDING}`);
    await staffSays(SUPERVISOR, `/teach family_book  ${WORDING} `);
    expect(lastStaffText()).toBe(h.render("knowledge.teach_duplicate"));
    expect(await h.core.wordings.list(["pending"])).toHaveLength(1);
  });
});
