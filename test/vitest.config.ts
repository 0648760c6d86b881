import { defineConfig } from "vitest/config";

/**
 * Tests that measure speed under load (a reply's p95 while one resident floods the bot) and so need the machine to
 * themselves: run after everything else, one at a time. Run beside the end-to-end and browser tests on a 2-core
 * machine, the flood test's p95 ranged from 60 ms to 2 s between runs of the same commit.
 */
const ALONE = ["test/e2e/flood.test.ts"];

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests start child processes; two workers keep the 2-core machines responsive.
    maxWorkers: 2,
    // Test files share one module graph per worker: grammY, Fastify and Drizzle are imported once per worker, and
    // the harness loads the (read-only) content once, instead of once per file. setup.ts undoes what could leak.
    isolate: false,
    setupFiles: ["test/helpers/setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: ALONE,
          // A throwaway PostgreSQL server for the tests that need one, when the machine has PostgreSQL installed;
          // and the model and lexicon every service started from source would otherwise compute at its first start.
          globalSetup: ["test/helpers/postgres-server.ts", "test/helpers/warm-source-cache.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "alone",
          include: ALONE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
