import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests start child processes; two workers keep the 2-core machines responsive.
    maxWorkers: 2,
    // Test files share one module graph per worker: grammY, Fastify and Drizzle are imported once per worker, and
    // the harness loads the (read-only) content once, instead of once per file. setup.ts undoes what could leak.
    isolate: false,
    setupFiles: ["test/helpers/setup.ts"],
    // A throwaway PostgreSQL server for the tests that need one, when the machine has PostgreSQL installed.
    globalSetup: ["test/helpers/postgres-server.ts"],
  },
});
