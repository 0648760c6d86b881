import { defineConfig } from "drizzle-kit";

// Used by `npm run db:generate` only: writes SQL migrations into drizzle/ from src/db/schema.ts.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
