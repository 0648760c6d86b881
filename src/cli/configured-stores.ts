/**
 * The configured database's stores for a command-line tool (the same environment as `npm start`: DATABASE_URL, else
 * DATABASE_PATH). Tools do not take the service's lock: they may run beside it.
 */
import type { Config } from "../config.ts";
import { openServiceDatabase } from "../service/database.ts";
import { createStores, type Stores, storeKeysOf } from "../service/stores.ts";

/** Runs `work` with the stores, then closes the database (also when `work` fails). */
export async function withConfiguredStores<T>(config: Config, work: (stores: Stores) => Promise<T>): Promise<T> {
  const database = await openServiceDatabase(config, { lock: false });
  try {
    return await work(createStores(database.handle, storeKeysOf(config, Date.now)));
  } finally {
    await database.close();
  }
}
