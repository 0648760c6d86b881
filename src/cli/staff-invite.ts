/**
 * `npm run staff:invite -- <role>`: makes a one-time invite code in the configured database (the same environment
 * as `npm start`: DATABASE_URL, else DATABASE_PATH), for the first admin or when no admin can use /invite. The
 * person types /join <code> in a private chat with the bot. Exit code 1 with a usage line for a missing or unknown
 * role.
 */
import { loadConfig } from "../config.ts";
import { withConfiguredStores } from "./configured-stores.ts";
import { SpeanError } from "../base/errors.ts";
import { isRole, ROLES } from "../features/roles.ts";

const role = (process.argv[2] ?? "").trim().toLowerCase();
try {
  if (!isRole(role)) {
    console.log(`usage: npm run staff:invite -- <${ROLES.join("|")}>`);
    process.exitCode = 1;
  } else {
    const code = await withConfiguredStores(loadConfig(), ({ staff }) => staff.createInvite(role, null));
    console.log(`One-time code for a new ${role}: ${code}`);
    console.log(`Valid for 7 days. In a private chat with the bot, type: /join ${code}`);
  }
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
