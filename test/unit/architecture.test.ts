/**
 * The layering rules of src/, checked on its import graph (test/helpers/import-graph.ts).
 * docs/ARCHITECTURE.md points to the rule tables below.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type Edge,
  folderCycles,
  forbiddenImports,
  formatEdge,
  importEdges,
  importsLeaving,
  matches,
  readSources,
} from "../helpers/import-graph.ts";

// Modules that may import grammY, Fastify and the adapter folders: the adapters and the composition root.
const ADAPTER_IMPORTERS = ["src/telegram/", "src/http/", "src/sandbox/", "src/main.ts", "src/service/"];
// What only ADAPTER_IMPORTERS may import (a pattern without a trailing `/` also covers its subpaths: grammy/types).
const ADAPTER_ONLY = ["grammy", "@grammyjs/", "fastify", "@fastify/", "src/telegram/", "src/http/", "src/sandbox/"];
// The foundation folder: it imports nothing from src/ outside itself.
const BASE_FOLDER = "src/base/";
// The shared layers under the features (docs/ARCHITECTURE.md, "Layers"): they never reach up into a feature.
const SHARED_FOLDERS = [
  "src/base/",
  "src/khmer/",
  "src/i18n/",
  "src/db/",
  "src/cluster/",
  "src/security/",
  "src/engine/",
  "src/scheduling/",
  "src/directory/",
  "src/outbox/",
  "src/inbox/",
  "src/interactions/",
  "src/features/",
  "src/conversations/",
  "src/config.ts",
  "src/logger.ts",
];
// The feature folders (one vertical each; the list of features is src/service/features.ts).
const FEATURE_FOLDERS = [
  "src/safety/",
  "src/knowledge/",
  "src/booking/",
  "src/referrals/",
  "src/staff/",
  "src/privacy/",
  "src/console/",
];

/** Rule a: the forbidden imports of grammY, Fastify and the adapters, as `from -> to` lines. */
function adapterViolations(edges: Edge[]): string[] {
  return forbiddenImports(edges, ADAPTER_IMPORTERS, ADAPTER_ONLY).map(formatEdge);
}

/** Rule b: each loop between src/ folders, then the file-level imports that make it up. */
function loopReport(edges: Edge[]): string[] {
  return folderCycles(edges).flatMap((cycle) => [
    `loop between ${cycle.nodes.join(", ")}:`,
    ...cycle.edges.map((edge) => `  ${formatEdge(edge)}`),
  ]);
}

/** Rule e: imports from a shared layer into a feature folder. */
function sharedReachingUp(edges: Edge[]): string[] {
  const any = (path: string, patterns: string[]) => patterns.some((pattern) => matches(path, pattern));
  return edges.filter((edge) => any(edge.from, SHARED_FOLDERS) && any(edge.to, FEATURE_FOLDERS)).map(formatEdge);
}

/** Rule c: imports from src/base/ to the rest of src/. */
function baseViolations(edges: Edge[]): string[] {
  return importsLeaving(edges, BASE_FOLDER).map(formatEdge);
}

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const sources = readSources(REPO_ROOT);
const edges = importEdges(sources);

describe("architecture", () => {
  it("reads the real src/ tree (so the rules below cannot pass on an empty graph)", () => {
    expect(sources.size).toBeGreaterThan(0);
    expect(edges.length).toBeGreaterThan(0);
  });

  it("a. only the adapters and the composition root import grammY, Fastify and the adapter folders", () => {
    expect(adapterViolations(edges)).toEqual([]);
  });

  it("b. the folders of src/ import each other without loops", () => {
    expect(loopReport(edges)).toEqual([]);
  });

  it("c. src/base/ imports nothing from src/ outside src/base/", () => {
    expect(baseViolations(edges)).toEqual([]);
  });

  it("e. the shared layers import no feature folder", () => {
    expect(sharedReachingUp(edges)).toEqual([]);
  });

  it("d. the checker finds imports, a loop and forbidden imports in an in-memory example", () => {
    const example = new Map([
      ["src/a/one.ts", 'import { two } from "../b/two.ts";\nimport type { Bot } from "grammy";\n'],
      [
        "src/b/two.ts",
        [
          "import {",
          "  three,",
          "  type Three,",
          '} from "../c/three.ts";',
          '// import { one } from "../a/one.ts";',
          '/* import "../a/gone.ts"; */',
          'const url = "https://example.org"; // a string is not a comment',
          'export type { Api } from "grammy/types";',
        ].join("\n"),
      ],
      ["src/c/three.ts", 'export * from "../a/one.ts";\nconst fs = await import("node:fs");\nimport.meta.url;\n'],
      ["src/base/clock.ts", 'import "../c/three.ts";\nimport { z } from "zod";\n'],
      ["src/telegram/bot.ts", 'import { Bot } from "grammy";\nimport { one } from "../a/one.ts";\n'],
    ]);
    const found = importEdges(example);
    expect(found).toEqual([
      { from: "src/a/one.ts", to: "src/b/two.ts", typeOnly: false },
      { from: "src/a/one.ts", to: "grammy", typeOnly: true },
      { from: "src/b/two.ts", to: "src/c/three.ts", typeOnly: false },
      { from: "src/b/two.ts", to: "grammy/types", typeOnly: true },
      { from: "src/c/three.ts", to: "src/a/one.ts", typeOnly: false },
      { from: "src/c/three.ts", to: "node:fs", typeOnly: false },
      { from: "src/base/clock.ts", to: "src/c/three.ts", typeOnly: false },
      { from: "src/base/clock.ts", to: "zod", typeOnly: false },
      { from: "src/telegram/bot.ts", to: "grammy", typeOnly: false },
      { from: "src/telegram/bot.ts", to: "src/a/one.ts", typeOnly: false },
    ]);
    expect(adapterViolations(found)).toEqual([
      "src/a/one.ts -> grammy (type-only)",
      "src/b/two.ts -> grammy/types (type-only)",
    ]);
    expect(loopReport(found)).toEqual([
      "loop between a, b, c:",
      "  src/a/one.ts -> src/b/two.ts",
      "  src/b/two.ts -> src/c/three.ts",
      "  src/c/three.ts -> src/a/one.ts",
    ]);
    expect(baseViolations(found)).toEqual(["src/base/clock.ts -> src/c/three.ts"]);
    expect(sharedReachingUp([{ from: "src/outbox/x.ts", to: "src/booking/y.ts", typeOnly: true }])).toEqual([
      "src/outbox/x.ts -> src/booking/y.ts (type-only)",
    ]);
  });
});
