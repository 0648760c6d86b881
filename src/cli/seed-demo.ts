/**
 * `npm run seed:demo`: loads the fictional demo counsellors into the configured database (the same environment as
 * `npm start`). Outside sandbox mode it refuses unless DEMO_DATA=on, so that a production database never gets
 * made-up staff by accident.
 */
import { seedDemoCounsellors } from "../booking/demo-seed.ts";
import { createBookingStore } from "../booking/store.ts";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { SpeanError } from "../base/errors.ts";
import { createFieldCipher } from "../security/field-cipher.ts";
import { createStaffStore } from "../staff/store.ts";

try {
  const config = loadConfig();
  if (!config.demoData) {
    console.log(
      `Not loading demo counsellors: this is ${config.mode} mode. ` +
        "Set DEMO_DATA=on if you really want fictional counsellors here.",
    );
    process.exitCode = 1;
  } else {
    const db = openDatabase(config.databasePath);
    const count = await seedDemoCounsellors(
      createStaffStore(db),
      createBookingStore(db, createFieldCipher(config.encryptionKey, config.encryptionKeyPrevious)),
    );
    db.$client.close();
    console.log(`Loaded ${count} fictional demo counsellors into ${config.databasePath}.`);
  }
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
