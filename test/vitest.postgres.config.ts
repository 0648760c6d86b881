import { defineConfig } from "vitest/config";

/**
 * The second pass of `npm test`: the bot and HTTP tests again, every harness on its own PostgreSQL database
 * (SPEAN_TEST_DATABASE=postgres, test/helpers/harness.ts), so that every store's PostgreSQL twin runs under the real
 * features. Tests that read SQLite itself are `itOnSqlite` and show as skipped. Without a PostgreSQL server on the
 * machine the whole pass is skipped, as the PostgreSQL cases of the first pass are.
 */
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    name: "on-postgres",
    include: ["test/bot/**/*.test.ts", "test/http/**/*.test.ts"],
    env: { SPEAN_TEST_DATABASE: "postgres" },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    isolate: false,
    setupFiles: ["test/helpers/setup.ts", "test/helpers/postgres-pass.ts"],
    globalSetup: ["test/helpers/postgres-server.ts"],
  },
});
