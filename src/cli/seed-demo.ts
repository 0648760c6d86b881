/**
 * `npm run seed:demo`: loads the fictional demo counsellors into the configured database (the same environment as
 * `npm start`). Outside sandbox mode it refuses unless DEMO_DATA=on, so that a production database never gets
 * made-up staff by accident.
 */
import { seedDemoCounsellors } from "../booking/demo-seed.ts";
import { loadConfig } from "../config.ts";
import { redactedUrl } from "../db/postgres.ts";
import { withConfiguredStores } from "./configured-stores.ts";
import { SpeanError } from "../base/errors.ts";

try {
  const config = loadConfig();
  if (!config.demoData) {
    console.log(
      `Not loading demo counsellors: this is ${config.mode} mode. ` +
        "Set DEMO_DATA=on if you really want fictional counsellors here.",
    );
    process.exitCode = 1;
  } else {
    const count = await withConfiguredStores(config, ({ staff, booking }) => seedDemoCounsellors(staff, booking));
    const where = config.databaseUrl ? redactedUrl(config.databaseUrl) : config.databasePath;
    console.log(`Loaded ${count} fictional demo counsellors into ${where}.`);
  }
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
