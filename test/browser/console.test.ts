/**
 * The staff console in headless Chromium against the sandbox (its fake Telegram plays the staff's phones): login
 * with approval in Telegram, every page in Khmer at 360 px and 1280 px (screenshots in test-output/) with axe-core,
 * a claim in the console showing in the staff group and one in the group showing in the console, a resolve with
 * its outcome, a counsellor's hours and time off set, a service marked checked, refusals, CSRF, no resident text in
 * logs, URLs or cookies, and a session's end after an idle hour on the sandbox's movable clock.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { freePort } from "../helpers/free-port.ts";
import { type RunningService, startService } from "../helpers/service-process.ts";

const RESIDENT = 1002;
const SECOND_RESIDENT = 1001;
const STAFF_GROUP = -1001;
const BOPHA = 2001;
const VANNA = 2002;
const DISCLOSURE = "ប្តីវាយខ្ញុំរាល់យប់";
const PHONE = "012 987 654";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const OUT = join(PROJECT_ROOT, "test-output");

let service: RunningService;
let browser: Browser;
let base: string;
let dir: string;
const visited: string[] = [];

interface FakeMessage {
  message_id: number;
  from: string;
  kind?: string;
  text?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] };
}

async function api(path: string, body?: object): Promise<unknown> {
  const res = await fetch(`${base}sandbox/api${path}`, {
    method: body ? "POST" : "GET",
    ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  return res.json();
}

const messages = async (chat: number) => (await api(`/chats/${chat}/messages`)) as FakeMessage[];

/**
 * Presses the button labelled `label` on the latest message in `chat` that has it (as `userId` in a group), among
 * messages after `after` (so that a button of an earlier round is never pressed while the new one is on its way).
 */
async function press(chat: number, label: string, userId?: number, after = 0): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const message = (await messages(chat))
      .filter((m) => m.from === "bot" && m.message_id > after)
      .reverse()
      .find((m) => m.reply_markup?.inline_keyboard?.flat().some((b) => b.text === label));
    const button = message?.reply_markup?.inline_keyboard?.flat().find((b) => b.text === label);
    if (message && button) {
      await api(`/chats/${chat}/press`, {
        message_id: message.message_id,
        data: button.callback_data,
        ...(userId ? { user_id: userId } : {}),
      });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no button ${label} in chat ${chat}`);
}

/** Waits until the bot's latest messages in `chat` contain `text`. */
async function botSaid(chat: number, text: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await messages(chat)).some((m) => m.from === "bot" && m.text?.includes(text))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the bot never said ${text} in chat ${chat}`);
}

/** A resident discloses and asks for a caseworker to call (a referral with a phone number). */
async function referral(resident = RESIDENT): Promise<void> {
  await api(`/chats/${resident}/send`, { text: DISCLOSURE });
  await press(resident, "🙋 សុំឲ្យបុគ្គលិកទាក់ទងខ្ញុំ");
  await press(resident, "✅ បាទ/ចាស សូមទាក់ទងខ្ញុំ");
  await press(resident, "📞 ហៅទូរស័ព្ទ នៅពេលមានសុវត្ថិភាព");
  await botSaid(resident, "លេខទូរស័ព្ទមួយណា?");
  await api(`/chats/${resident}/send`, { text: PHONE });
  await press(resident, "🕒 ពេលណាក៏បាន");
  await press(resident, "✅ ផ្ញើ");
}

/** Opens the console as a sandbox staff member and approves the login in their fake Telegram chat. */
async function logIn(context: BrowserContext, staffId: number, checkWaitPage = false): Promise<Page> {
  const page = await context.newPage();
  page.on("framenavigated", (frame) => visited.push(frame.url()));
  await page.goto(`${base}sandbox/console/${staffId}`);
  await page.getByText("សូមបើកការជជែកជាមួយបូតស្ពាន").waitFor();
  if (checkWaitPage) await expectAccessible(page); // the page that waits for the ✅ in Telegram
  await press(staffId, "✅ បាទ/ចាស គឺខ្ញុំ");
  await page.getByRole("link", { name: "ខ្ញុំបានចុច ✅ ហើយ បន្ត" }).click();
  await page.waitForURL(/\/console$/, { timeout: 15_000 });
  return page;
}

/** axe-core on the page: no serious or critical violation. */
async function expectAccessible(page: Page): Promise<void> {
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe.run();
    return result.violations;
  })) as { id: string; impact: string }[];
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(OUT, `console-${name}-${width}.png`), fullPage: true });
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "spean-console-"));
  mkdirSync(OUT, { recursive: true });
  const port = await freePort();
  service = await startService(
    { PORT: String(port), DATABASE_PATH: join(dir, "sandbox.db"), LOG_LEVEL: "info" },
    /sandbox is running/,
  );
  base = `http://127.0.0.1:${port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("staff console in a browser", () => {
  it("logs in through Telegram, claims in both places, resolves with an outcome, refuses what it must", async () => {
    await referral();
    await botSaid(STAFF_GROUP, "🔔");
    // bypassCSP only lets axe-core's script into the page; the console itself runs no script at all.
    const bopha = await browser.newContext({ bypassCSP: true, locale: "km-KH" });
    const page = await logIn(bopha, BOPHA, true);
    await page.getByRole("heading", { name: "កំពុងរង់ចាំបុគ្គលិកសង្គមកិច្ច" }).waitFor();
    await screenshots(page, "queue");
    await expectAccessible(page);

    // Claim in the console: the staff group's alert says who took it.
    await page.getByRole("link", { name: "SP-0001" }).click();
    await page.getByRole("button", { name: "ទទួលករណីនេះ" }).click();
    await page.getByText("មានអ្នកទទួលហើយ").first().waitFor();
    await botSaid(STAFF_GROUP, "✋ Bopha");

    // The contact only on an audited click; then close with an outcome.
    await page.getByRole("button", { name: "បង្ហាញព័ត៌មានទំនាក់ទំនង" }).click();
    await page.getByText(PHONE.replace(/ /g, ""), { exact: false }).waitFor(); // stored as 012987654
    await screenshots(page, "case");
    await expectAccessible(page);
    await page.selectOption("#outcome", "service_received");
    await page.getByRole("button", { name: "បិទជាមួយលទ្ធផលនេះ" }).click();
    await page.getByText("លទ្ធផល៖ បានទទួលសេវា").waitFor();

    // A claim in the staff group shows in the console (another resident's case).
    await referral(SECOND_RESIDENT);
    await botSaid(STAFF_GROUP, "SP-0002");
    await press(STAFF_GROUP, "✋ ទទួលយក", BOPHA);
    await page.goto(`${base}console/cases/2`);
    await page.getByText("បុគ្គលិក៖ Bopha").waitFor();

    // A POST without the session's CSRF token is refused.
    const forged = await page.request.post(`${base}console/cases/2/claim`, { form: { _csrf: "x" } });
    expect(forged.status()).toBe(403);

    // Vanna (supervisor) sees every case; Sreymom (counsellor) is refused the queue.
    const vanna = await logIn(await browser.newContext({ bypassCSP: true }), VANNA);
    await vanna.getByRole("link", { name: "SP-0002" }).waitFor();

    // Vanna gives SP-0002 to herself; Bopha is then refused it (not hers, not waiting).
    await vanna.goto(`${base}console/cases/2`);
    await vanna.selectOption("#to", { label: "Vanna" });
    await vanna.getByRole("button", { name: "ផ្ទេរ", exact: true }).click();
    await vanna.getByText("បុគ្គលិក៖ Vanna").waitFor();
    await page.goto(`${base}console/cases/2`);
    await page.getByText("គ្មានករណីនេះទេ").waitFor();

    // Vanna sets Sreymom's weekly hours.
    await vanna.getByRole("link", { name: "ម៉ោងអ្នកប្រឹក្សា" }).click();
    await vanna.fill("#spec-3001", "mon-fri 09:00-11:00 russey_keo");
    const form = vanna.locator('form[action="/console/hours/3001"]');
    await form.locator("input[type=checkbox]").check();
    await form.getByRole("button").click();
    await vanna.getByText("បានរក្សាទុកម៉ោង").waitFor();
    // ... and a week off, a week from now.
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    await vanna.fill("#off-from-3001", inDays(7));
    await vanna.fill("#off-to-3001", inDays(11));
    await vanna.locator('form[action="/console/hours/3001/time-off"]').getByRole("button").click();
    await vanna.getByText("បានបន្ថែមថ្ងៃឈប់").waitFor();
    await screenshots(vanna, "hours");
    await expectAccessible(vanna);

    // The roster and the audit log: names, never a resident's id.
    await vanna.getByRole("link", { name: "បុគ្គលិក", exact: true }).click();
    await vanna.getByRole("heading", { name: "កំណត់ត្រាសកម្មភាព (២០០ ចុងក្រោយ)" }).waitFor();
    // What the page says (not its markup, where a random CSRF token may hold any digits).
    expect(await vanna.locator("main").innerText()).not.toContain(String(RESIDENT));
    await screenshots(vanna, "staff");
    await expectAccessible(vanna);

    // The service directory, with its sources and checks.
    await vanna.getByRole("link", { name: "សេវា", exact: true }).click();
    await vanna
      .getByRole("button", { name: /បានពិនិត្យថ្ងៃនេះ/ })
      .first()
      .click();
    await vanna.getByText("អរគុណ។ បានកត់ត្រាការពិនិត្យហើយ។").waitFor();
    await screenshots(vanna, "services");
    await expectAccessible(vanna);

    await vanna.getByRole("link", { name: "ការណាត់", exact: true }).click();
    await vanna.getByRole("heading", { name: /សប្តាហ៍ចាប់ពី/ }).waitFor();
    await screenshots(vanna, "appointments");
    await expectAccessible(vanna);

    await vanna.getByRole("link", { name: "សំណួរ", exact: true }).click();
    await vanna.getByRole("heading", { name: "សំណួរ", exact: true }).waitFor();
    await screenshots(vanna, "questions");
    await expectAccessible(vanna);
    const sreymom = await browser.newContext();
    const refused = await sreymom.newPage();
    await refused.goto(`${base}sandbox/console/3001`);
    await press(3001, "✅ បាទ/ចាស គឺខ្ញុំ");
    await refused.getByRole("link", { name: "ខ្ញុំបានចុច ✅ ហើយ បន្ត" }).click();
    await refused.getByText("អ្នកមិនអាចមើលទំព័រនេះបានទេ").waitFor({ timeout: 15_000 });

    // Nothing the resident wrote is in the service's log, a URL visited, or a cookie.
    const cookies = JSON.stringify([...(await bopha.cookies()), ...(await sreymom.cookies())]);
    for (const secret of [DISCLOSURE, PHONE, PHONE.replace(/ /g, "")]) {
      expect(service.output()).not.toContain(secret);
      expect(visited.join("\n")).not.toContain(encodeURIComponent(secret));
      expect(visited.join("\n")).not.toContain(secret);
      expect(cookies).not.toContain(secret);
    }
  }, 90_000);

  it("programme results, a group activity and a CIP page: Khmer at 360 px, 1280 px and A4 print", async () => {
    // A resident answers the community-needs survey by taps.
    await api(`/chats/${SECOND_RESIDENT}/send`, { text: "/start" });
    for (const label of [
      "🏘️ តើសហគមន៍ខ្ញុំត្រូវការអ្វី?",
      "▶️ ចាប់ផ្តើម",
      "ខណ្ឌឫស្សីកែវ",
      "សង្កាត់ស្វាយប៉ាក",
      "💧 ទឹកស្អាត",
      "🌊 លូបង្ហូរទឹក និងទឹកលិច",
      "✔️ រួចរាល់",
      "✅ បាទ/ចាស ខ្ញុំចង់ចូលរួម",
    ])
      await press(SECOND_RESIDENT, label);
    await botSaid(SECOND_RESIDENT, "🙏 អរគុណ!");

    const vanna = await logIn(await browser.newContext({ bypassCSP: true, locale: "km-KH" }), VANNA);
    await vanna.getByRole("link", { name: "សកម្មភាពជាក្រុម", exact: true }).click();
    await vanna.fill("#date", new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
    await vanna.selectOption("#kind", "community_meeting");
    await vanna.selectOption("#khan", "russey_keo");
    await vanna.selectOption("#sangkat", "russey_keo_svay_pak");
    await vanna.fill("#place", "សាលាឆទាន");
    await vanna.fill("#organisation", "អង្គការដៃគូ");
    await vanna.fill("#female_25_up", "១៤");
    await vanna.fill("#male_25_up", "6");
    await vanna.fill("#first_time", "3");
    await vanna.getByRole("button", { name: "រក្សាទុកកំណត់ត្រា" }).click();
    await vanna.getByText("✅ បានកត់ត្រាសកម្មភាពហើយ។").waitFor();
    await screenshots(vanna, "activities");
    await expectAccessible(vanna);

    await vanna.getByRole("link", { name: "លទ្ធផល", exact: true }).click();
    await vanna.getByRole("heading", { name: "លទ្ធផលកម្មវិធី" }).waitFor();
    await vanna.getByRole("heading", { name: "វគ្គប្រឹក្សាផ្ទាល់ខ្លួន" }).waitFor();
    await screenshots(vanna, "results");
    await expectAccessible(vanna);

    await vanna.getByRole("link", { name: "របាយការណ៍តម្រូវការ CIP", exact: true }).first().click();
    await vanna.getByRole("link", { name: "សង្កាត់ស្វាយប៉ាក" }).click();
    await vanna.getByText("ការចូលរួមរបស់ស្ត្រី").waitFor();
    await screenshots(vanna, "cip");
    await expectAccessible(vanna);
    // The council's copy: A4, printed by Chromium; it fits on one sheet.
    await vanna.emulateMedia({ media: "print" });
    await vanna.setViewportSize({ width: 794, height: 1123 });
    await vanna.screenshot({ path: join(OUT, "console-cip-a4.png"), fullPage: true });
    const pdf = await vanna.pdf({ path: join(OUT, "console-cip.pdf"), format: "A4", printBackground: true });
    expect(pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
  }, 90_000);

  it("recordings: a voice note attached in the console plays as 🔊 on /start (360 px, 1280 px)", async () => {
    await api(`/chats/${VANNA}/other`, { kind: "voice" });
    await botSaid(VANNA, "/recording");
    const vanna = await logIn(await browser.newContext({ bypassCSP: true, locale: "km-KH" }), VANNA);
    await vanna.getByRole("link", { name: "សំឡេង", exact: true }).click();
    await vanna.getByRole("heading", { name: "សារជាសំឡេងរបស់អ្នក ដែលមិនទាន់ដាក់លើទំព័រ" }).waitFor();
    await screenshots(vanna, "recordings");
    await expectAccessible(vanna);
    await vanna.getByLabel("ទំព័រ", { exact: true }).selectOption("start");
    await vanna.getByRole("button", { name: "ភ្ជាប់", exact: true }).click();
    await vanna.getByText("សំឡេងនៅលើទំព័ររបស់វាហើយ។", { exact: false }).waitFor();

    // A resident who cannot read presses 🔊 under the main menu and gets the voice note.
    const { id: resident } = (await api("/chats", { name: "Listener" })) as { id: number };
    await api(`/chats/${resident}/send`, { text: "/start" });
    await press(resident, "🔊 ស្តាប់");
    for (let attempt = 0; attempt < 100; attempt++) {
      const voices = (await messages(resident)).filter((m) => m.from === "bot" && m.kind === "voice");
      if (voices.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the recording never reached the resident");
  }, 60_000);

  it("a session ends after an idle hour, on the sandbox's moved clock", async () => {
    const context = await browser.newContext();
    const page = await logIn(context, BOPHA);
    await page.getByRole("heading", { name: "កំពុងរង់ចាំបុគ្គលិកសង្គមកិច្ច" }).waitFor();
    expect(await api("/clock", { minutes: 61 })).toMatchObject({ ok: true });
    await page.reload();
    await page.getByText("សូមចូលជាមុនសិន").waitFor();
    expect((await context.cookies()).some((c) => c.name === "spean_console")).toBe(false);
  }, 60_000);
});
