/**
 * `npm run counsellor -- <telegram user id> --hours "mon-fri 08:00-11:30 prek_pnov; tue 14:00-16:00 phone"
 *  [--topics health,legal,work,family] [--slot 60]` sets a registered counsellor's places, topics, session length
 * and weekly hours. `npm run counsellor -- <id> --off` stops new bookings with them (booked ones stay).
 * The counsellor registers first with /join and a code from `/invite counsellor`.
 */
import { setCounsellorHours } from "../booking/counsellor-setup.ts";
import { isTopic, type Topic, TOPICS } from "../booking/model.ts";
import { loadConfig } from "../config.ts";
import { withConfiguredStores } from "./configured-stores.ts";
import { SpeanError } from "../base/errors.ts";

const USAGE =
  'usage: npm run counsellor -- <telegram user id> --hours "mon-fri 08:00-11:30 prek_pnov; tue 14:00-16:00 phone" ' +
  "[--topics health,legal,work,family] [--slot 60] | <id> --off";

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

try {
  const args = process.argv.slice(2);
  const id = Number(args[0]);
  if (!Number.isSafeInteger(id) || id <= 0) throw new SpeanError("SPEAN_CONFIG_INVALID", USAGE);
  await withConfiguredStores(loadConfig(), async ({ staff, booking }) => {
    const member = await staff.get(id);
    if (member?.role !== "counsellor")
      throw new SpeanError(
        "SPEAN_CONFIG_INVALID",
        `${id} is not a registered counsellor: make a code with /invite counsellor ` +
          "(or npm run staff:invite -- counsellor) and have them type /join <code>",
      );
    if (args.includes("--off")) {
      await booking.setCounsellorActive(id, false);
      console.log(`${member.displayName} takes no new bookings now.`);
      return;
    }
    const topics = (option(args, "topics") ?? TOPICS.join(",")).split(",").map((t) => t.trim());
    if (!topics.every(isTopic)) throw new SpeanError("SPEAN_CONFIG_INVALID", `topics are ${TOPICS.join(", ")}`);
    const slot = Number(option(args, "slot") ?? 60);
    if (!Number.isInteger(slot) || slot < 15 || slot > 240)
      throw new SpeanError("SPEAN_CONFIG_INVALID", "--slot is minutes, 15 to 240");
    const saved = await setCounsellorHours(booking, member, option(args, "hours") ?? "", {
      topics: topics as Topic[],
      slotMinutes: slot,
    });
    console.log(
      `${member.displayName}: ${saved.periods} weekly periods at ${saved.sites.join(", ")}; ` +
        `topics ${topics.join(", ")}; ${slot}-minute sessions.`,
    );
  });
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
