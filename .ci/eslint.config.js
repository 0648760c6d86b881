// ESLint (flat config) for the whole repository: `npm run lint`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "drizzle/**", "data/**", "test-output/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts"],
    rules: {
      // Domain code never imports grammY or Fastify (DESIGN.md, principle 3).
      "no-restricted-imports": ["error", { patterns: [{ group: ["grammy", "grammy/*", "fastify", "@grammyjs/*"], message: "only src/telegram, src/sandbox, src/http and app.ts talk to grammY or Fastify" }] }],
    },
  },
  {
    files: ["src/telegram/**", "src/sandbox/**", "src/http/**", "src/app.ts", "src/service.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/config.ts", "src/main.ts"],
    rules: { "no-restricted-properties": ["error", { object: "process", property: "env", message: "only src/config.ts reads the environment" }] },
  },
);
