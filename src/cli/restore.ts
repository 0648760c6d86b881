/**
 * `npm run restore -- <backup file> [--replace]`: restores an encrypted backup to DATABASE_PATH (the same
 * environment as `npm start`, with the ENCRYPTION_KEY the backup was made with). Stop the service first; an
 * existing database is kept beside it as `<database>.before-restore-<time>` only with --replace.
 */
import { SpeanError } from "../base/errors.ts";
import { loadConfig } from "../config.ts";
import { restoreBackup } from "../db/backup.ts";

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith("--"));
try {
  if (!file) throw new SpeanError("SPEAN_CONFIG_INVALID", "usage: npm run restore -- <backup file> [--replace]");
  const config = loadConfig();
  const replace = args.includes("--replace");
  try {
    await restoreBackup(file, config.databasePath, { key: config.encryptionKey, replace });
  } catch (err) {
    // A backup made before a key rotation is under the previous key.
    if (!config.encryptionKeyPrevious || (err as SpeanError).code !== "SPEAN_BACKUP_INVALID") throw err;
    await restoreBackup(file, config.databasePath, { key: config.encryptionKeyPrevious, replace });
  }
  console.log(`restored ${file} to ${config.databasePath}`);
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
