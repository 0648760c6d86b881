/**
 * `npm run db:to-postgres -- postgres://user:password@host:5432/spean`: copies the configured SQLite database
 * (DATABASE_PATH, the same environment as `npm start`) into an empty PostgreSQL database, checks every table's count
 * and rows, and prints them. Stop the service first: the copy takes the database's lock, as the service does.
 * Exit code 1 and one line on failure; a failed copy leaves the PostgreSQL database empty.
 */
import { SpeanError } from "../base/errors.ts";
import { loadConfig } from "../config.ts";
import { copySqliteToPostgres } from "../db/copy-to-postgres.ts";
import { lockDatabase } from "../db/lock.ts";
import { openDatabase } from "../db/open.ts";
import { openPostgres, redactedUrl } from "../db/postgres.ts";

const url = process.argv[2];
let unlock = () => undefined as void;
try {
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new SpeanError("SPEAN_COPY_REFUSED", "usage: npm run db:to-postgres -- postgres://user:password@host/db");
  }
  const config = loadConfig();
  unlock = lockDatabase(config.databasePath);
  const source = openDatabase(config.databasePath);
  const target = await openPostgres(url);
  try {
    console.log(`copying ${config.databasePath} to ${redactedUrl(url)}`);
    const report = await copySqliteToPostgres(source, target, {
      onTable: (t) => console.log(`  ${t.table.padEnd(24)} ${String(t.rows).padStart(9)} rows, same in both`),
    });
    console.log(`copied and checked: ${report.tables.length} tables, ${report.rows.toLocaleString("en")} rows.`);
    console.log("Encrypted fields were copied as they are: keep the same ENCRYPTION_KEY with this database.");
    console.log(`To run on it: set DATABASE_URL=${redactedUrl(url)} (with its password) where you set DATABASE_PATH,`);
    console.log("keep ENCRYPTION_KEY as it is, and start the service. DATABASE_PATH is then not used.");
    console.log("Keep the SQLite file and its backups until the service has run well on PostgreSQL.");
  } finally {
    source.$client.close();
    await target.$client.end();
  }
} catch (err) {
  console.log(err instanceof SpeanError ? `${err.code}: ${err.message}` : String(err));
  process.exitCode = 1;
} finally {
  unlock();
}
