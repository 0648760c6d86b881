/**
 * The production build (npm run build, src/cli/build.ts): one bundle that starts from its code cache with the flags
 * start:prod uses, reads its content from the JSON the build stored, and answers like the source does.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { useEndToEnd } from "../helpers/e2e.ts";
import { PROD_NODE_FLAGS } from "../helpers/service-process.ts";

// Inside the repository, so that the bundle finds package.json, flows/ and drizzle/ above it as a deployment does.
const out = join(PROJECT_ROOT, "test-output", "build-e2e");
const e2e = useEndToEnd();

beforeAll(() => {
  const build = spawnSync(process.execPath, ["--import", "tsx", "src/cli/build.ts", out], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  expect(build.status, build.stderr).toBe(0);
  // About 20 s alone; over 60 s on two cores busy with the rest of the suite (it trains the search's model).
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the production build", () => {
  it("is one ASCII bundle with its code cache, plus every content file validated and the kept models", () => {
    const files = readdirSync(out);
    expect(files).toEqual(expect.arrayContaining(["main.js", "service.cjs", "page.html"]));
    expect(readFileSync(join(out, "service.cjs")).every((byte) => byte < 128)).toBe(true);
    // Made with start:prod's flags, so that V8 takes it when the service starts with them.
    const bundle = join(out, "service.cjs");
    const cacheUse = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        ...PROD_NODE_FLAGS,
        "--input-type=module",
        "-e",
        `import { codeCacheUse } from "./src/boot/code-cache.ts"; console.log(codeCacheUse("${bundle}"));`,
      ],
      { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
    expect(cacheUse.stdout.trim(), cacheUse.stderr).toBe("used");
    const yamlFiles = spawnSync("find", ["flows", "-name", "*.yaml"], { cwd: PROJECT_ROOT, encoding: "utf8" })
      .stdout.trim()
      .split("\n");
    // Every content file parsed and validated, the danger model in its compact form, the search's question model
    // and the danger lexicon: kept so that the built service need not compute them at start.
    const kept = readdirSync(join(out, "models"));
    expect(kept.filter((name) => /^content-[0-9a-f]{64}\.json$/.test(name))).toHaveLength(yamlFiles.length);
    expect(kept.filter((name) => !name.startsWith("content-")).sort()).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}\.bin$/),
      expect.stringMatching(/^danger-model-[0-9a-f]{64}\.bin$/),
      expect.stringMatching(/^lexicon-[0-9a-f]{64}\.json$/),
    ]);
  });

  it("starts with start:prod's flags and answers /start and a button", async () => {
    await e2e.start({}, [...PROD_NODE_FLAGS, join(out, "main.js")]);
    e2e.fake.sendText(1, "/start");
    await e2e.waitForText(1, "តើអ្នកត្រូវការអ្វី? សូមចុចប៊ូតុងមួយ។");
    e2e.fake.sendText(1, "lek police");
    await e2e.fake.waitFor(() => e2e.texts(1).some((t) => t.includes("117")), 15_000);
  });

  it("answers a typed question with the question model the build trained, not one trained at start", async () => {
    const service = await e2e.start({}, [...PROD_NODE_FLAGS, join(out, "main.js")]);
    e2e.fake.sendText(2, "/start");
    await e2e.waitForText(2, "តើអ្នកត្រូវការអ្វី? សូមចុចប៊ូតុងមួយ។");
    e2e.fake.sendText(2, "ធ្វើអត្តសញ្ញាណប័ណ្ណនៅឯណា");
    await e2e.waitForText(2, "🪪 អត្តសញ្ញាណប័ណ្ណសញ្ជាតិខ្មែរ");
    await service.waitForOutput(/"questionModel":"kept".*"msg":"search index ready"/);
  });
  it("keeps the host's modules, builds, databases and secrets out of the Docker build context", () => {
    // The build stage's `COPY . .` would otherwise put the host's node_modules over the image's own, and a database
    // or an env file lying in the folder into an image layer.
    const ignored = readFileSync(join(PROJECT_ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    expect(ignored).toEqual(
      expect.arrayContaining(["node_modules", "dist", "data", "*.db", "*.db-wal", "*.db-shm", ".env", "*.env"]),
    );
    expect(readFileSync(join(PROJECT_ROOT, "docs", "deploy", "Dockerfile"), "utf8")).toMatch(/^COPY \. \.$/m);
  });

  it("runs from the files the Dockerfile's runtime stage copies, and nothing else", async () => {
    // docs/deploy/Dockerfile cannot be built here (no Docker daemon, no image registry): this follows its COPY lines
    // into an empty folder instead, so a file the built service needs but the image lacks fails here.
    const dockerfile = readFileSync(join(PROJECT_ROOT, "docs", "deploy", "Dockerfile"), "utf8");
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    const copies = [...runtime.matchAll(/^COPY (?:--from=build \/app\/)?(\S+) \.\/\S*$/gm)];
    expect(copies.map(([, from]) => from).sort()).toEqual(
      ["dist", "drizzle", "flows", "locales", "node_modules", "package.json"].sort(),
    );
    const app = mkdtempSync(join(tmpdir(), "spean-image-"));
    try {
      for (const [, from] of copies) {
        const source = from === "dist" ? out : join(PROJECT_ROOT, from as string);
        if (from === "node_modules") symlinkSync(source, join(app, "node_modules"));
        else cpSync(source, join(app, from as string), { recursive: true });
      }
      await e2e.start({}, [...PROD_NODE_FLAGS, join(app, "dist", "main.js")]);
      e2e.fake.sendText(3, "/start");
      await e2e.waitForText(3, "តើអ្នកត្រូវការអ្វី? សូមចុចប៊ូតុងមួយ។");
      e2e.fake.sendText(3, "ធ្វើអត្តសញ្ញាណប័ណ្ណនៅឯណា");
      await e2e.waitForText(3, "🪪 អត្តសញ្ញាណប័ណ្ណសញ្ជាតិខ្មែរ");
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
