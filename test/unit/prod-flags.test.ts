import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { PROD_ENV, PROD_NODE_FLAGS } from "../../src/boot/prod-flags.ts";

const deployFile = (name: string) => readFileSync(join(PROJECT_ROOT, "docs", "deploy", name), "utf8");

describe("how a server runs the service (npm run start:prod)", () => {
  it("reads the environment and the V8 flags of start:prod", () => {
    expect(PROD_ENV).toEqual({ MALLOC_ARENA_MAX: "2" });
    expect(PROD_NODE_FLAGS).toEqual(["--max-semi-space-size=2", "--max-old-space-size=256"]);
  });

  it.each(["spean.service", "spean@.service"])("the systemd unit %s sets the same environment and flags", (name) => {
    const unit = deployFile(name);
    for (const [name, value] of Object.entries(PROD_ENV)) expect(unit).toContain(`Environment=${name}=${value}\n`);
    expect(unit).toMatch(new RegExp(`^ExecStart=/usr/bin/node ${PROD_NODE_FLAGS.join(" ")} dist/main.js$`, "m"));
  });

  it("the template unit gives each instance its port", () => {
    expect(deployFile("spean@.service")).toContain("Environment=PORT=%i\n");
  });

  it("the Dockerfile sets the same environment and flags", () => {
    const dockerfile = deployFile("Dockerfile");
    const env = /^ENV (.*)$/m.exec(dockerfile)?.[1]?.split(" ") ?? [];
    for (const [name, value] of Object.entries(PROD_ENV)) expect(env).toContain(`${name}=${value}`);
    const cmd = JSON.stringify(["node", ...PROD_NODE_FLAGS, "dist/main.js"]).replaceAll(",", ", ");
    expect(dockerfile).toContain(`CMD ${cmd}`);
  });
});
