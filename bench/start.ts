/**
 * Cold start and memory of the service: the built JavaScript (`npm run build`, `npm run start:prod`) against the
 * source run by tsx (`npm start`), each started 5 times in sandbox mode on a fresh database. Cold start = process
 * spawned → "Spean sandbox is running" printed (listening, bot and sender started); first reply = spawned → the
 * bot's greeting to a /start sent as soon as it runs (the search index is being built then, in slices, see
 * src/base/stepwise.ts); first answer = spawned → the bot's answer to a typed question (it waits for the search
 * index; the built service loads the question model `npm run build` trained, see src/knowledge/kept-models.ts). RSS
 * is read from /proc/<pid>/status once started, once 200 updates from 100 chats (a typed question every fourth, the
 * rest /start) are answered and no reply waits to go out (Telegram's limits pace them), and again 20 seconds later
 * (settled: V8's memory reducer gives back what the burst left once the process is idle).
 *
 * Run: `npm run bench:start` (builds first when dist/ is missing or stale).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { staleBuildReason } from "../src/build-freshness.ts";
import { PROJECT_ROOT } from "../src/content/load.ts";
import { PROD_ENV, PROD_NODE_FLAGS } from "../test/helpers/service-process.ts";

const RUNS = 5;
/** How long the service is left idle after the burst before RSS is read again. */
const SETTLE_MS = 20_000;
const entry = join(PROJECT_ROOT, "dist", "main.js");
if (!existsSync(entry) || staleBuildReason(entry, join(PROJECT_ROOT, "src"))) {
  const build = spawnSync("npm", ["run", "-s", "build"], { cwd: PROJECT_ROOT, stdio: "inherit" });
  if (build.status !== 0) process.exit(1);
}

interface Sample {
  startMs: number;
  firstReplyMs: number;
  firstAnswerMs: number;
  rssStartedMb: number;
  rssAfterLoadMb: number;
  rssSettledMb: number;
}

/** A question a resident might type first ("where do I make an ID card?"). */
const FIRST_QUESTION = "ធ្វើអត្តសញ្ញាណប័ណ្ណនៅឯណា";

interface LoggedMessage {
  seq: number;
  from: "user" | "bot";
  text?: string;
  reply_markup?: unknown;
}

/** The first message of the sandbox chat that `matches` (checked every 10 ms, for 30 s at most). */
async function waitForMessage(
  api: string,
  chat: number,
  matches: (m: LoggedMessage) => boolean,
): Promise<LoggedMessage> {
  const until = performance.now() + 30_000;
  while (performance.now() < until) {
    const log = (await (await fetch(`${api}/chats/${chat}/messages`)).json()) as LoggedMessage[];
    const found = log.find(matches);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no such message in chat ${chat} within 30 s`);
}

/** Waits until every update is handled and no reply is waiting to go out (the service's /readyz says so). */
async function waitForDrained(address: string): Promise<void> {
  const until = performance.now() + 120_000;
  while (performance.now() < until) {
    const { checks } = (await (await fetch(`${address}/readyz`)).json()) as {
      checks: { inbox: { pending: number }; sender: { oldestDueAgeMs: number | null } | null };
    };
    if (checks.inbox.pending === 0 && checks.sender?.oldestDueAgeMs === null) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("updates or replies still waiting after 120 s");
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

async function once(args: string[], env: Record<string, string>): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), "spean-start-"));
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", PORT: "0", DATABASE_PATH: join(dir, "s.db"), BACKUP_DIR: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.on("exit", () => reject(new Error(`exited before starting:\n${output}`)));
  });
  const startMs = performance.now() - started;
  const rssStartedMb = rssMb(child.pid as number);
  const api = `${address.replace("localhost", "127.0.0.1")}/sandbox/api`;
  const send = (chat: number, text: string) =>
    fetch(`${api}/chats/${chat}/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
  // The first typed question waits for the search index built after start (from source, its model is trained). A new
  // chat's first message is greeted whatever it says, so the question follows a /start and its greeting, whose last
  // message carries the menu's buttons.
  await send(1001, "/start");
  await waitForMessage(api, 1001, (m) => m.from === "bot" && m.reply_markup !== undefined);
  const firstReplyMs = performance.now() - started;
  await send(1001, FIRST_QUESTION);
  const asked = await waitForMessage(api, 1001, (m) => m.from === "user" && m.text === FIRST_QUESTION);
  await waitForMessage(api, 1001, (m) => m.from === "bot" && m.seq > asked.seq);
  const firstAnswerMs = performance.now() - started;
  // 100 chats, two updates each: one chat's replies would be paced at Telegram's one a second for minutes.
  for (let i = 0; i < 200; i++) await send(1001 + (i % 100), i % 4 === 0 ? FIRST_QUESTION : "/start");
  await waitForDrained(address);
  const rssAfterLoadMb = rssMb(child.pid as number);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const rssSettledMb = rssMb(child.pid as number);
  // A build that starts but cannot reach the Bot API would measure well and answer nobody: check it answered.
  const log = (await (await fetch(`${api}/chats/1001/messages`)).json()) as { from: string }[];
  if (!log.some((m) => m.from === "bot")) throw new Error(`${args.join(" ")} started but never answered /start`);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.on("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
  return { startMs, firstReplyMs, firstAnswerMs, rssStartedMb, rssAfterLoadMb, rssSettledMb };
}

/** Runs every way of starting once per round, so a noisy machine slows all of them alike. */
async function measureAll(ways: [name: string, args: string[], env: Record<string, string>][]): Promise<void> {
  const samples = ways.map((): Sample[] => []);
  for (let round = 0; round < RUNS; round++)
    for (const [i, [, args, env]] of ways.entries()) samples[i]?.push(await once(args, env));
  for (const [i, [name]] of ways.entries()) report(name, samples[i] ?? []);
}

function report(name: string, samples: Sample[]): void {
  const median = (pick: (s: Sample) => number) =>
    samples.map(pick).sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
  const started = median((s) => s.rssStartedMb).toFixed(0);
  const loaded = median((s) => s.rssAfterLoadMb).toFixed(0);
  const settled = median((s) => s.rssSettledMb).toFixed(0);
  console.log(
    `${name.padEnd(34)} cold start median ${median((s) => s.startMs).toFixed(0)} ms, ` +
      `/start sent at once answered at ${median((s) => s.firstReplyMs).toFixed(0)} ms, ` +
      `first typed question answered at ${median((s) => s.firstAnswerMs).toFixed(0)} ms; ` +
      `RSS started ${started} MB, once 200 updates are answered ${loaded} MB, ` +
      `${SETTLE_MS / 1000} s later ${settled} MB`,
  );
}

console.log(`node ${process.version}, ${RUNS} starts each (interleaved), medians`);
await measureAll([
  ["built (node dist/main.js)", [entry], {}],
  ["built, as npm run start:prod", [...PROD_NODE_FLAGS, entry], { ...PROD_ENV }],
  ["source (tsx src/main.ts)", ["--import", "tsx", "src/main.ts"], {}],
]);
