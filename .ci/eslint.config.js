// ESLint (flat config) for the whole repository: `npm run lint`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "drizzle/**", "data/**", "test-output/**", "dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The line limit Prettier aims for (.prettierrc.json), also for the lines it cannot break: strings and comments.
    files: ["**/*.ts", "**/*.js"],
    rules: { "max-len": ["error", { code: 120, ignoreUrls: true }] },
  },
  {
    // The stores are asynchronous (a network database answers later): a promise that is not awaited is work that
    // may run outside its unit of work, or an error nobody sees.
    files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname + "/.." } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      "@typescript-eslint/await-thenable": "error",
      // A promise returned from inside try/catch escapes the catch unless it is awaited there.
      "@typescript-eslint/return-await": ["error", "error-handling-correctness-only"],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      // Domain code never imports grammY, Fastify or the adapters
      // (docs/ARCHITECTURE.md; test/unit/architecture.test.ts).
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "grammy",
                "grammy/*",
                "fastify",
                "@grammyjs/*",
                "@fastify/*",
                "**/telegram/*",
                "**/http/*",
                "**/sandbox/*",
              ],
              message:
                "only src/telegram, src/http, src/sandbox and the composition root (src/service, src/main.ts) " +
                "talk to grammY, Fastify or the adapters",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/telegram/**", "src/sandbox/**", "src/http/**", "src/service/**", "src/main.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/config.ts", "src/main.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "only src/config.ts reads the environment" },
      ],
    },
  },
);
