/**
 * The sandbox page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { freePort, type RunningService, startService } from "../helpers/service-process.ts";

let service: RunningService;
let browser: Browser;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "spean-browser-"));
  const port = await freePort();
  service = await startService({ PORT: String(port), DATABASE_PATH: join(dir, "sandbox.db") }, /sandbox is running/);
  url = `http://127.0.0.1:${port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
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
    mkdirSync(join(PROJECT_ROOT, "test-output"), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, "test-output", "sandbox.png"), fullPage: true });

    // A second resident and the (empty) staff group view.
    await page.click("#new-chat");
    await page.getByText("វាយ /start ឬសរសេរអ្វីមួយ", { exact: false }).waitFor();
    await page.getByRole("button", { name: "👥 Spean staff" }).click();
    await page.getByText("មិនទាន់មានសារសម្រាប់បុគ្គលិក", { exact: false }).waitFor();
    await page.close();
  });
});
