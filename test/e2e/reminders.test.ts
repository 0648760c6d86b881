/**
 * End to end: 300 reminders due at once, the service (a child process, polling) is killed with SIGKILL while it is
 * sending them, then restarted. Every reminder reaches its family. The only duplicates are messages Telegram had
 * accepted when the process died but whose "sent" mark was not yet written (the crash window): the test measures
 * that window at the moment of the kill and checks that the duplicates are exactly those.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect, it } from "vitest";
import { useEndToEnd } from "../helpers/e2e.ts";
import { bookFamiliesWithReminders } from "../helpers/reminder-families.ts";

const FAMILIES = 300;
const FIRST_CHAT = 10_001;

const e2e = useEndToEnd({ residents: Array.from({ length: FAMILIES }, (_, i) => FIRST_CHAT + i) });
const env = () => e2e.env({ OUTBOX_RATE_PER_SECOND: "30" });

/** Books one appointment per family, three hours from now, and queues its 2-hour reminder as due now. */
const prepareDatabase = () =>
  bookFamiliesWithReminders(env(), { families: FAMILIES, firstChat: FIRST_CHAT, remindAt: Date.now() });

const reminderChats = () =>
  e2e.fake.calls
    .filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) >= FIRST_CHAT)
    .map((c) => Number(c.params.chat_id));

it(
  "SIGKILL while reminders are being sent, then a restart: " +
    "every reminder delivered, duplicates only inside the measured crash window",
  async () => {
    await prepareDatabase();
    const first = await e2e.start({ OUTBOX_RATE_PER_SECOND: "30" });
    await e2e.fake.waitFor(() => reminderChats().length >= 60, 20_000);
    first.child.kill("SIGKILL");
    await first.exited;

    // The crash window, measured at the kill: reminders Telegram accepted whose row the database does not mark sent.
    const acceptedAtKill = new Set(reminderChats());
    const db = new Database(join(e2e.dir, "spean.db"), { readonly: true });
    const recordedSent = new Set(
      (
        db.prepare("select chat_id from outbox where status = 'sent' and dedupe_key like 'reminder:%'").all() as {
          chat_id: number;
        }[]
      ).map((r) => r.chat_id),
    );
    db.close();
    const window = [...acceptedAtKill].filter((chat) => !recordedSent.has(chat));
    expect(acceptedAtKill.size).toBeLessThan(FAMILIES); // killed mid-way

    await e2e.start({ OUTBOX_RATE_PER_SECOND: "30" });
    await e2e.fake.waitFor(() => new Set(reminderChats()).size === FAMILIES, 30_000);

    const perChat = new Map<number, number>();
    for (const chat of reminderChats()) perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
    expect(perChat.size).toBe(FAMILIES);
    const duplicated = [...perChat].filter(([, n]) => n > 1).map(([chat]) => chat);
    expect([...perChat.values()].every((n) => n <= 2)).toBe(true);
    expect(duplicated.sort()).toEqual(window.sort());
    // The window is what was in flight at one moment: bounded by the sender's burst (rate / 5 + in-flight).
    expect(window.length).toBeLessThanOrEqual(12);
    console.log(
      `crash window at the kill: ${window.length} reminder(s) accepted by Telegram but not yet marked sent; ` +
        `${acceptedAtKill.size} of ${FAMILIES} delivered before the kill`,
    );
  },
  // Its own waits allow 50 s (300 reminders at 30 a second, two starts); vitest's default 30 s cut it short once
  // on a busy machine.
  90_000,
);
