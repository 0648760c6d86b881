/**
 * A small import-graph checker for the architecture test: text parsing only (no TypeScript compiler), over a
 * `Map<path, source>` so that everything except `readSources` is pure and can be tested on in-memory examples.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";

/** One import: `from` is a repository-relative file; `to` is a repository-relative file or a bare specifier. */
export type Edge = { from: string; to: string; typeOnly: boolean };

/** A loop between folders of src/: the folders in it and the file-level imports that close it. */
export type FolderCycle = { nodes: string[]; edges: Edge[] };

/** Reads every `.ts` file under `dir` (recursively), keyed by its repository-relative path with `/` separators. */
export function readSources(repoRoot: string, dir = "src"): Map<string, string> {
  const files = readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => posix.join(dir, file.split("\\").join("/")))
    .sort();
  return new Map(files.map((file) => [file, readFileSync(join(repoRoot, file), "utf8")]));
}

// Strings come first in the alternation so that "https://..." inside a string is not taken for a comment.
// Single-line strings must close on their line, so a quote inside a regex literal costs at most that line.
const STRING_OR_COMMENT = /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g;

/** Removes `//` and `/* *\/` comments, leaving string and template literals as they are. */
export function stripComments(source: string): string {
  return source.replace(STRING_OR_COMMENT, (match, literal?: string) => literal ?? " ");
}

// `import|export [type] <clause> from "x"`; the clause may span lines but holds only names, braces, commas and `*`.
const FROM = /(?<![\w$.])(?:import|export)(\s+type)?\s+[\w$\s{},*]*?\s*from\s*(["'])([^"'\n]+)\2/g;
const SIDE_EFFECT = /(?<![\w$.])import\s*(["'])([^"'\n]+)\1/g;
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(["'`])([^"'`\n$]+)\1\s*[,)]/g;

/**
 * The module specifiers a source imports or re-exports, in source order. `typeOnly` is true only for
 * `import type` / `export type`: with verbatimModuleSyntax, `import { type A }` still loads the module.
 */
export function parseImports(source: string): { specifier: string; typeOnly: boolean }[] {
  const code = stripComments(source);
  const found = [
    ...[...code.matchAll(FROM)].map((m) => ({ at: m.index, specifier: m[3]!, typeOnly: m[1] !== undefined })),
    ...[...code.matchAll(SIDE_EFFECT)].map((m) => ({ at: m.index, specifier: m[2]!, typeOnly: false })),
    ...[...code.matchAll(DYNAMIC)].map((m) => ({ at: m.index, specifier: m[2]!, typeOnly: false })),
  ];
  return found.sort((a, b) => a.at - b.at).map(({ specifier, typeOnly }) => ({ specifier, typeOnly }));
}

/** Resolves a relative specifier against the importing file; bare specifiers (packages, `node:`) stay as they are. */
export function resolveSpecifier(from: string, specifier: string): string {
  return specifier.startsWith(".") ? posix.join(posix.dirname(from), specifier) : specifier;
}

/** Every import edge between the given sources and what they import. */
export function importEdges(sources: Map<string, string>): Edge[] {
  return [...sources].flatMap(([from, source]) =>
    parseImports(source).map(({ specifier, typeOnly }) => ({ from, to: resolveSpecifier(from, specifier), typeOnly })),
  );
}

/**
 * Whether a path or package matches a pattern: a pattern ending in `/` matches everything beneath it
 * (`src/http/`, `@fastify/`); any other pattern matches itself and its subpaths (`grammy`, `grammy/types`).
 */
export function matches(path: string, pattern: string): boolean {
  return path === pattern || path.startsWith(pattern.endsWith("/") ? pattern : `${pattern}/`);
}

/** Edges into any of `targets` from a module that matches none of `allowedFrom`. */
export function forbiddenImports(edges: Edge[], allowedFrom: string[], targets: string[]): Edge[] {
  const any = (path: string, patterns: string[]) => patterns.some((pattern) => matches(path, pattern));
  return edges.filter((edge) => any(edge.to, targets) && !any(edge.from, allowedFrom));
}

/** Edges from inside `folder` (e.g. `src/base/`) to a file under src/ outside it. */
export function importsLeaving(edges: Edge[], folder: string): Edge[] {
  return edges.filter((edge) => matches(edge.from, folder) && matches(edge.to, "src/") && !matches(edge.to, folder));
}

/** The first path segment under src/ (`booking` for src/booking/x.ts, `config.ts` for src/config.ts), if any. */
export function folderOf(path: string): string | undefined {
  return path.startsWith("src/") ? path.split("/")[1] : undefined;
}

/** The loops between folders of src/: strongly connected components of the folder graph with more than one node. */
export function folderCycles(edges: Edge[]): FolderCycle[] {
  const between = edges.filter((e) => folderOf(e.from) && folderOf(e.to) && folderOf(e.from) !== folderOf(e.to));
  const next = new Map<string, Set<string>>();
  for (const edge of between) {
    const from = folderOf(edge.from)!;
    next.set(from, (next.get(from) ?? new Set()).add(folderOf(edge.to)!));
  }
  // The folder graph has a few dozen nodes, so plain reachability is fast enough and easier to read than Tarjan.
  const reach = new Map([...next.keys()].map((node) => [node, reachable(next, node)]));
  const cycles: FolderCycle[] = [];
  for (const node of [...next.keys()].sort()) {
    if (cycles.some((cycle) => cycle.nodes.includes(node))) continue;
    const nodes = [...next.keys()].filter((other) => reach.get(node)!.has(other) && reach.get(other)!.has(node));
    if (nodes.length < 2) continue;
    const inside = (path: string) => nodes.includes(folderOf(path)!);
    cycles.push({ nodes: nodes.sort(), edges: between.filter((e) => inside(e.from) && inside(e.to)) });
  }
  return cycles;
}

/** The nodes reachable from `start` in one or more steps. */
function reachable(next: Map<string, Set<string>>, start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    for (const node of next.get(todo.pop()!) ?? []) {
      if (seen.has(node)) continue;
      seen.add(node);
      todo.push(node);
    }
  }
  return seen;
}

/** `from -> to`, marked when the import is type-only. */
export function formatEdge(edge: Edge): string {
  return `${edge.from} -> ${edge.to}${edge.typeOnly ? " (type-only)" : ""}`;
}
