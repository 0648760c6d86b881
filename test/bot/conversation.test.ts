import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeCallback } from "../../src/engine/callback-data.ts";
import { buttonsOf, createHarness, type Harness, RESIDENT } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.close());

describe("first contact", () => {
  it("every main-menu button begins with a picture that says what it is, in both languages", () => {
    const menu = h.core.content.flows.flows.get("main")?.nodes.menu as { choices: { label: string }[] };
    for (const locale of ["km", "en"] as const)
      for (const { label } of menu.choices) expect(h.render(label, locale)).toMatch(/^\p{Extended_Pictographic}/u);
  });

  it("/start in a fresh chat gives the Khmer welcome, the privacy notice and the main menu", async () => {
    await h.say("/start");
    const [welcome, privacy, menu] = h.lastTexts(3);
    expect(welcome).toBe(h.render("main.welcome"));
    expect(privacy).toContain("ឯកជនភាព");
    expect(privacy).toContain("៩០ ថ្ងៃ"); // retention in Khmer digits
    expect(menu).toBe(h.render("main.menu_prompt"));
    const labels = buttonsOf(h.last()).map((b) => b.text);
    expect(labels).toEqual(
      [
        "main.choice_info",
        "main.choice_book",
        "main.choice_appointments",
        "main.choice_help",
        "main.choice_emergency",
        "main.choice_privacy",
        "main.choice_language",
        "main.choice_needs",
      ].map((k) => h.render(k)),
    );
  });

  it("greets a first message that is not /start the same way (nobody misses the privacy notice)", async () => {
    await h.say("សួស្តី");
    expect(h.lastTexts(3)[0]).toBe(h.render("main.welcome"));
  });
});

describe("language", () => {
  it("switches to English and remembers it", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_language"));
    await h.press("English");
    expect(h.lastTexts(2)).toEqual([h.render("main.language_changed", "en"), h.render("main.menu_prompt", "en")]);
    await h.say("/menu");
    expect(h.lastTexts(1)[0]).toBe(h.render("main.menu_prompt", "en"));
    await h.say("/language");
    await h.press("ភាសាខ្មែរ");
    expect(h.lastTexts(1)[0]).toBe(h.render("main.menu_prompt", "km"));
  });
});

describe("navigation", () => {
  it("Back and Main menu work from every screen of every flow", async () => {
    await h.say("/start");
    const screens = [...h.core.content.flows.flows].flatMap(([flowId, flow]) =>
      Object.entries(flow.nodes)
        .filter(([, node]) => node.kind === "menu" || node.kind === "ask")
        .map(([nodeId]) => `${flowId}.${nodeId}`),
    );
    expect(screens.length).toBeGreaterThan(5);
    for (const screen of screens) {
      if (screen === "main.menu") continue;
      for (const [button, expected] of [
        ["common.back", h.render("main.menu_prompt")],
        ["common.main_menu", h.render("main.menu_prompt")],
      ] as const) {
        // Arrive at the screen from the main menu, so Back has somewhere to go.
        await h.core.conversations.save(RESIDENT, { node: "main.menu", step: 1, stack: [], vars: {} });
        await h.handle(h.fake.pressButton(RESIDENT, h.last()?.message_id ?? 1, "m"));
        const state = await h.core.conversations.load(RESIDENT);
        await h.core.conversations.save(RESIDENT, {
          node: screen,
          step: (state?.step ?? 0) + 1,
          stack: ["main.menu"],
          vars: {},
        });
        await h.say("/nothing"); // re-shows the current screen with fresh buttons
        const keyboard = (h.last()?.reply_markup as { keyboard?: { text: string }[][] } | undefined)?.keyboard;
        if (keyboard) {
          // A phone question shows a reply keyboard: its buttons send their label as text.
          expect(keyboard.flat().map((b) => b.text)).toContain(h.render(button));
          await h.say(h.render(button));
        } else {
          expect(buttonsOf(h.last()).map((b) => b.text)).toContain(h.render(button));
          await h.press(h.render(button));
        }
        expect(h.lastTexts(1)[0], `${button} from ${screen}`).toBe(expected);
      }
    }
  });

  it("Back returns to the previous screen", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_language"));
    await h.press(h.render("common.back"));
    expect(h.lastTexts(1)[0]).toBe(h.render("main.menu_prompt"));
  });

  it("every screen but the emergency one offers the emergency numbers in one tap", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_privacy"));
    await h.press(h.render("common.emergency"));
    const text = h.lastTexts(1)[0] as string;
    expect(text).toContain("117");
    expect(text).toContain("119");
    expect(text).toContain("1280");
    expect(buttonsOf(h.last()).map((b) => b.text)).not.toContain(h.render("common.emergency"));
  });

  it("/help, /menu and /emergency work from any state", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_language"));
    await h.say("/help");
    expect(h.lastTexts(1)[0]).toBe(h.render("main.help"));
    await h.say("/emergency");
    expect(h.lastTexts(1)[0]).toContain("117");
    await h.say("/menu");
    expect(h.lastTexts(1)[0]).toBe(h.render("main.menu_prompt"));
  });

  it("the booking item opens the booking flow (no coming-soon screen is left)", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_book"));
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.topic_prompt"));
  });
});

describe("stale buttons and odd input", () => {
  it("a button on an older message is answered, explained, and the current screen is shown again", async () => {
    await h.say("/start");
    const oldMenu = h.last();
    await h.press(h.render("main.choice_language"));
    const button = buttonsOf(oldMenu).find((b) => b.text === h.render("main.choice_privacy")) as {
      callback_data: string;
    };
    await h.handle(h.fake.pressButton(RESIDENT, oldMenu?.message_id as number, button.callback_data));
    expect(h.lastTexts(2)).toEqual([h.render("common.expired"), h.render("main.language_prompt")]);
    const answer = h.fake.calls.filter((c) => c.method === "answerCallbackQuery").at(-1);
    expect(answer?.params.text).toBe(h.render("common.expired_short"));
  });

  it("callback data the bot never wrote is treated as stale, not as an error", async () => {
    await h.say("/start");
    await h.handle(h.fake.pressButton(RESIDENT, h.last()?.message_id as number, "totally-unknown"));
    expect(h.lastTexts(2)[0]).toBe(h.render("common.expired"));
  });

  it("the Main menu button works even on an old message", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_privacy"));
    const privacyScreen = h.last();
    await h.press(h.render("common.back"));
    await h.handle(h.fake.pressButton(RESIDENT, privacyScreen?.message_id as number, encodeCallback({ kind: "menu" })));
    expect(h.lastTexts(1)[0]).toBe(h.render("main.menu_prompt"));
  });

  it.each([
    ["a label typed in Khmer", "ឯកជនភាព", "main.privacy"],
    ["part of a label", "លេខសង្គ្រោះ", "emergency.intro"],
    ["a Khmer digit for the position", "៧", "main.language_prompt"],
    ["a Latin digit for the position", "6", "main.privacy"],
    ["an English label while in Khmer", "privacy", "main.privacy"],
    ["the word for menu", "ម៉ឺនុយ", "main.menu_prompt"],
  ])("free text in a menu: %s", async (_what, typed, expectedKey) => {
    await h.say("/start");
    await h.say(typed);
    expect((h.lastTexts(1)[0] as string).startsWith(h.render(expectedKey))).toBe(true);
  });

  it.each(["   ", "🙂", "!!!", "ok"])(
    "text with nothing to search for %#: says so kindly and shows the menu again",
    async (typed) => {
      await h.say("/start");
      await h.say(typed);
      expect(h.lastTexts(2)).toEqual([h.render("common.not_understood"), h.render("main.menu_prompt")]);
    },
  );

  it.each(["ខ្ញុំមិនដឹង", "asdfgh", "៩៩", "x".repeat(4096)])(
    "unmatched text %#: an honest 'not sure' with the safety line, and the topics",
    async (typed) => {
      await h.say("/start");
      await h.say(typed);
      const [notSure, topics] = h.lastTexts(2);
      expect(notSure).toBe(`${h.render("knowledge.not_sure")}\n\n${h.safetyNet()}`);
      // The topics, or (when the question model leans towards an article or two) those as guesses above them.
      expect([h.render("knowledge.topics_prompt"), h.render("knowledge.suggest_prompt")]).toContain(topics);
    },
  );

  it("a sticker gets a clear answer and the current screen", async () => {
    await h.say("/start");
    await h.handle(h.fake.sendOther(RESIDENT, "sticker"));
    expect(h.lastTexts(2)).toEqual([
      `${h.render("common.unsupported")}\n\n${h.safetyNet()}`,
      h.render("main.menu_prompt"),
    ]);
  });

  it.each(["voice", "photo"] as const)("a %s is offered to a person, with the 117 / 119 line", async (kind) => {
    await h.say("/start");
    await h.handle(h.fake.sendOther(RESIDENT, kind));
    expect(h.lastTexts(1)).toEqual([`${h.render("media.prompt")}\n\n${h.safetyNet()}`]);
  });

  it("an unknown command is explained", async () => {
    await h.say("/start");
    await h.say("/fly");
    expect(h.lastTexts(2)).toEqual([h.render("common.unknown_command"), h.render("main.menu_prompt")]);
  });

  it("ignores group chats and edited messages (no reply, no crash)", async () => {
    const before = h.fake.calls.length;
    await h.handle(
      h.fake.injectUpdate({
        update_id: 1,
        message: { message_id: 1, date: 0, chat: { id: -5, type: "group", title: "g" }, text: "/start" },
      }),
    );
    await h.handle(
      h.fake.injectUpdate({
        update_id: 2,
        edited_message: { message_id: 1, date: 0, chat: { id: RESIDENT, type: "private" }, text: "x" },
      }),
    );
    expect(h.fake.calls.length).toBe(before);
  });
});

describe("records", () => {
  it("logs every message in and out, with the text encrypted at rest", async () => {
    await h.say("/start");
    await h.say("ប្ដីខ្ញុំ 012345678");
    const entries = await h.core.interactions.ofChat(RESIDENT);
    expect(entries.filter((e) => e.direction === "in").map((e) => e.text)).toEqual(["/start", "ប្ដីខ្ញុំ 012345678"]);
    expect(entries.filter((e) => e.direction === "out")).toHaveLength(5);
    const raw = await rowsOf(h.core, "select text_enc from interactions");
    expect(raw).toHaveLength(7);
    expect(raw.some((r) => String(r.text_enc).includes("012345678"))).toBe(false);
  });

  it("keeps the conversation in the database: a new engine on the same data continues where the chat was", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_language"));
    expect((await h.core.conversations.load(RESIDENT))?.node).toBe("main.language");
  });

  it("erases text after the retention period but keeps the rows for counting", async () => {
    await h.say("/start");
    h.advance(91 * 86_400_000);
    const { textsErased } = await h.core.interactions.purge(90);
    expect(textsErased).toBeGreaterThan(0);
    const entries = await h.core.interactions.ofChat(RESIDENT);
    expect(entries.length).toBe(4);
    expect(entries.every((e) => e.text === null)).toBe(true);
  });
});
