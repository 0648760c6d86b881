/**
 * `npm run db:generate` runs this first: it writes src/db/pg-schema.ts, the PostgreSQL twin of src/db/schema.ts
 * (src/db/pg-schema-source.ts says how each column maps). drizzle-kit then writes the SQL migrations for both
 * dialects from the two files (drizzle/ and drizzle/pg/).
 */
import { writeFileSync } from "node:fs";
import { formattedPgSchema, PG_SCHEMA_FILE } from "../db/pg-schema-source.ts";

writeFileSync(PG_SCHEMA_FILE, await formattedPgSchema());
console.log(`wrote ${PG_SCHEMA_FILE}`);
