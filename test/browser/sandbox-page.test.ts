/**
 * The sandbox page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { freePort } from "../helpers/free-port.ts";
import { type RunningService, startService } from "../helpers/service-process.ts";

let service: RunningService;
let browser: Browser;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "spean-browser-"));
  const port = await freePort();
  // The service builds the search index right after start-up, which blocks it for a second or two (more on a loaded
  // 2-core machine): the pages are tested once that is done, as a resident would meet it.
  service = await startService({ PORT: String(port), DATABASE_PATH: join(dir, "sandbox.db") }, /search index ready/);
  url = `http://127.0.0.1:${port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("sandbox page", () => {
  it("shows the Khmer welcome, and a button click produces the next message", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(url);
    await page.fill("#text", "/start");
    await page.click("#send");
    await page.getByText("សួស្តី! ខ្ញុំឈ្មោះ ស្ពាន។", { exact: false }).waitFor();
    await page.getByRole("button", { name: "🆘 លេខសង្គ្រោះបន្ទាន់" }).last().click();
    await page.locator(".msg.bot", { hasText: "117" }).waitFor();
    expect(await page.locator(".msg.bot").last().textContent()).toContain("1280");
    // With nothing new, the page's polls leave the log alone: a log redrawn on every poll replaces the button under
    // a finger on a slow phone.
    await page.evaluate(() => {
      const counter = window as unknown as { logChanges: number };
      counter.logChanges = 0;
      new MutationObserver(() => counter.logChanges++).observe(document.getElementById("log") as HTMLElement, {
        childList: true,
        subtree: true,
      });
    });
    for (let poll = 0; poll < 3; poll++)
      await page.waitForResponse((response) => response.url().includes("/sandbox/api/messages?after="));
    expect(await page.evaluate(() => (window as unknown as { logChanges: number }).logChanges)).toBe(0);
    mkdirSync(join(PROJECT_ROOT, "test-output"), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, "test-output", "sandbox.png"), fullPage: true });

    // A second resident and the (empty) staff group view.
    await page.click("#new-chat");
    await page.getByText("វាយ /start ឬសរសេរអ្វីមួយ", { exact: false }).waitFor();
    await page.getByRole("button", { name: "👥 Spean staff" }).click();
    await page.getByText("មិនទាន់មានសារសម្រាប់បុគ្គលិក", { exact: false }).waitFor();
    await page.close();
  });

  it("a late answer never takes a message back off the screen: one poll at a time (360 px phone)", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    // Every other read of the open chat answers 1.5 s late, as on a slow phone network: without one poll at a time,
    // that old answer arrived after a newer one and redrew the log without the newest messages.
    let reads = 0;
    await page.route(/\/sandbox\/api\/chats\/-?\d+\/messages$/, async (route) => {
      const response = await route.fetch();
      if (reads++ % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.fulfill({ response });
    });
    await page.goto(url);
    await page.click("#new-chat");
    await page.getByText("វាយ /start ឬសរសេរអ្វីមួយ", { exact: false }).waitFor();
    await page.evaluate(() => {
      const shown = window as unknown as { shown: number[] };
      shown.shown = [];
      const log = document.getElementById("log") as HTMLElement;
      new MutationObserver(() => shown.shown.push(log.querySelectorAll(".msg").length)).observe(log, {
        childList: true,
        subtree: true,
      });
    });
    await page.fill("#text", "/start");
    await page.click("#send");
    await page.getByRole("button", { name: "🆘 លេខសង្គ្រោះបន្ទាន់" }).last().click();
    await page.locator(".msg.bot", { hasText: "117" }).waitFor();
    for (let read = 0; read < 4; read++)
      await page.waitForResponse((response) => /\/chats\/-?\d+\/messages$/.test(response.url()));
    const shown = await page.evaluate(() => (window as unknown as { shown: number[] }).shown);
    expect(shown.at(-1)).toBe(5); // /start, three replies, the emergency numbers
    expect(shown.every((count, i) => i === 0 || count >= (shown[i - 1] as number))).toBe(true);
    await page.close();
  });

  it("shows the staff group and a caseworker's private chat: an alert, a refused and an accepted Claim", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(url);
    await page.getByRole("button", { name: "👤 ដារា Dara" }).click();
    await page.fill("#text", "ប្តីវាយខ្ញុំ");
    await page.click("#send");
    await page.getByRole("button", { name: "🙋 សុំឲ្យបុគ្គលិកទាក់ទងខ្ញុំ" }).last().click();
    await page.getByRole("button", { name: "✅ បាទ/ចាស សូមទាក់ទងខ្ញុំ" }).last().click();
    await page.getByRole("button", { name: "💬 ក្នុងការជជែក Telegram នេះ" }).last().click();
    await page.getByRole("button", { name: "🕒 ពេលណាក៏បាន" }).last().click();
    await page.getByRole("button", { name: "✅ ផ្ញើ" }).last().click();
    await page.locator(".msg.bot", { hasText: "SP-" }).last().waitFor();

    // The staff group: the alert, with its buttons.
    await page.getByRole("button", { name: "👥 Spean staff" }).click();
    const alert = page.locator(".msg.bot", { hasText: "🔔" }).first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain("🔴");

    // Pressed by someone who is not staff (the resident Sokha): refused, shown as a toast.
    await page.selectOption("#act-as", { label: "សុខា Sokha" });
    await alert.getByRole("button", { name: "✋ ទទួលយក" }).click();
    await page.locator("#toast", { hasText: "បានកត់ត្រា" }).waitFor();

    // Pressed by Bopha, a registered caseworker: the alert shows who took it, and Bopha gets the case card.
    await page.selectOption("#act-as", { label: "Bopha" });
    await alert.getByRole("button", { name: "✋ ទទួលយក" }).click();
    await page.locator(".msg.bot", { hasText: "✋ Bopha" }).waitFor();
    await page.getByRole("button", { name: "👤 Bopha" }).click();
    await page.getByRole("button", { name: "💬 និយាយតាមរយៈបូត" }).waitFor();
    await page.screenshot({ path: join(PROJECT_ROOT, "test-output", "sandbox-staff.png"), fullPage: true });

    // The resident is told the caseworker's first name.
    await page.getByRole("button", { name: "👤 ដារា Dara" }).click();
    await page.locator(".msg.bot", { hasText: "Bopha" }).waitFor();
    await page.close();
  });

  it("a voice note has a player whose sound decodes, and the bot offers a caseworker (360 px phone)", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(url);
    await page.click("#new-chat");
    // The new, empty chat is the current one (not a resident with an open case from the test before).
    await page.getByText("វាយ /start ឬសរសេរអ្វីមួយ", { exact: false }).waitFor();
    await page.click("#voice");
    const player = page.locator(".msg.user audio").last();
    await player.waitFor({ timeout: 10_000 });
    const src = await player.evaluate((a) => (a as HTMLAudioElement).src);
    const seconds = await page.evaluate(async (from) => {
      const bytes = await (await fetch(from)).arrayBuffer();
      const decoded = await new OfflineAudioContext(1, 48_000, 48_000).decodeAudioData(bytes);
      return decoded.duration;
    }, src);
    expect(seconds).toBeGreaterThan(2.5);
    await page.locator(".msg.bot", { hasText: "🎧" }).last().waitFor({ timeout: 10_000 });
    await page.close();
  });
});
