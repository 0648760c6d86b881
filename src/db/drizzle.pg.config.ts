import { defineConfig } from "drizzle-kit";

// Used by `npm run db:generate` only: writes PostgreSQL migrations into drizzle/pg/ from src/db/pg-schema.ts, which
// is itself generated from src/db/schema.ts (src/cli/pg-schema.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/pg-schema.ts",
  out: "./drizzle/pg",
});
