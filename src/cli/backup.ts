/**
 * `npm run backup`: an encrypted backup of the configured database now (the same environment as `npm start`; the
 * service may be running), into BACKUP_DIR, keeping the newest BACKUP_KEEP. Prints the file; exit code 1 and one
 * line on failure.
 */
import { SpeanError } from "../base/errors.ts";
import { loadConfig } from "../config.ts";
import { backupDatabase } from "../db/backup.ts";

try {
  const config = loadConfig();
  if (config.backupDir === undefined) throw new SpeanError("SPEAN_CONFIG_INVALID", "backups are off (BACKUP_DIR=off)");
  const result = await backupDatabase(config.databasePath, {
    dir: config.backupDir,
    key: config.encryptionKey,
    keep: config.backupKeep,
  });
  console.log(`backup written: ${result.file} (${result.bytes.toLocaleString("en")} bytes)`);
  for (const file of result.removed) console.log(`older backup removed: ${file}`);
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
