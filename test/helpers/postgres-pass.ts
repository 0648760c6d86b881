/** Setup of the PostgreSQL pass (test/vitest.postgres.config.ts): every test is skipped when there is no server. */
import { beforeEach } from "vitest";
import { POSTGRES_URL } from "./postgres.ts";

if (!POSTGRES_URL) beforeEach((context) => context.skip());
