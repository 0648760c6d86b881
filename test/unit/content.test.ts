import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkServiceContent } from "../../src/service/core.ts";
import { loadContent, PROJECT_ROOT } from "../../src/content/load.ts";

const defaults = () => ({ retention_days: 90 });
const temporary: string[] = [];

/** A copy of the real content that a test may break. */
function copyContent(): string {
  const root = mkdtempSync(join(tmpdir(), "spean-content-"));
  temporary.push(root);
  cpSync(join(PROJECT_ROOT, "flows"), join(root, "flows"), { recursive: true });
  cpSync(join(PROJECT_ROOT, "locales"), join(root, "locales"), { recursive: true });
  return root;
}

function edit(path: string, change: (text: string) => string): void {
  writeFileSync(path, change(readFileSync(path, "utf8")));
}

afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the shipped content", () => {
  it("passes the content check (the same check as npm run content:check)", async () => {
    const content = loadContent(defaults);
    const report = await checkServiceContent(content);
    expect(report.problems).toEqual([]);
  });

  it("shows only SOURCED numbers, each with a source, a year (or an explicit null) and a last-checked date", () => {
    const content = loadContent(defaults);
    const phones = content.directory.services.flatMap((n) => n.phones);
    expect(phones).toEqual(expect.arrayContaining(["117", "119", "1280"]));
    // Unverified numbers from the research notes must never appear
    // (fire, municipal and district police, the US hotline).
    for (const unverified of ["118", "666", "012 999 999", "012 955 999", "078 888 801", "+1 888 373 7888"])
      expect(phones).not.toContain(unverified);
    for (const s of content.directory.services) {
      expect(s.source.url).toMatch(/^https?:\/\//);
      expect(s.source.year === null || s.source.year >= 1990).toBe(true);
      expect(s.last_checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("takes every number from the research notes (the only source for numbers the bot shows)", () => {
    // docs/research/cambodia-facts.md is a copy of the research note (November 2026) kept with the code.
    const notes = readFileSync(join(PROJECT_ROOT, "docs", "research", "cambodia-facts.md"), "utf8").replace(
      /[\s()+-]/g,
      "",
    );
    const content = loadContent(defaults);
    for (const s of content.directory.services) {
      for (const phone of s.phones) expect(notes, `${s.id}: ${phone}`).toContain(phone.replace(/[\s+]/g, ""));
    }
  });
});

describe("flow validation", () => {
  it("names the file, the node and the problem for a malformed node", () => {
    const root = copyContent();
    edit(join(root, "flows", "main.yaml"), (t) =>
      t.replace("kind: menu\n    home: true", "kind: menuu\n    home: true"),
    );
    expect(() => loadContent(defaults, root)).toThrow(/flows\/main\.yaml: node "menu"/);
  });

  it("rejects invalid YAML with the file name", () => {
    const root = copyContent();
    writeFileSync(join(root, "flows", "broken.yaml"), "id: broken\nnodes: [unclosed\n");
    expect(() => loadContent(defaults, root)).toThrow(/flows\/broken\.yaml: not valid YAML/);
  });

  it("rejects a choice id that could not fit in callback data", () => {
    const root = copyContent();
    edit(join(root, "flows", "main.yaml"), (t) =>
      t.replace("id: info,", "id: this_choice_id_is_far_too_long_for_callbacks,"),
    );
    expect(() => loadContent(defaults, root)).toThrow(/choices.*1-24 characters/s);
  });

  it("rejects a directory entry that is not SOURCED, or names an unknown category", () => {
    const root = copyContent();
    edit(join(root, "flows", "data", "services.yaml"), (t) => t.replace("status: SOURCED", "status: UNVERIFIED"));
    expect(() => loadContent(defaults, root)).toThrow(/only numbers marked SOURCED/);
    const other = copyContent();
    edit(join(other, "flows", "data", "services.yaml"), (t) =>
      t.replace("categories: [legal]", "categories: [legall]"),
    );
    expect(() => loadContent(defaults, other)).toThrow(/unknown category "legall"/);
  });

  it("warns about a directory entry last checked more than 180 days ago", async () => {
    const content = loadContent(defaults);
    const fresh = (await checkServiceContent(content, "2027-05-01")).warnings;
    expect(fresh.filter((w) => w.includes("last checked"))).toEqual([]);
    const stale = (await checkServiceContent(content, "2027-06-01")).warnings;
    expect(stale).toContain(
      'service "police" was last checked against its source 198 days ago (2026-11-15); check it again',
    );
  });
});

describe("content check", () => {
  async function problemsAfter(change: (root: string) => void): Promise<string[]> {
    const root = copyContent();
    change(root);
    const content = loadContent(defaults, root);
    return (await checkServiceContent(content)).problems;
  }

  it("finds a missing target", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "flows", "main.yaml"), (t) => t.replace("next: kb.topics", "next: soon.nowhere")),
    );
    expect(problems).toContain('flows/main.yaml: node "menu": goes to "soon.nowhere", which does not exist');
  });

  it("finds an unregistered action", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "flows", "main.yaml"), (t) =>
        t.replace("action: set_locale, params: { locale: km }", "action: fly_away"),
      ),
    );
    expect(problems).toContain('flows/main.yaml: node "language": action "fly_away" is not registered');
  });

  it("finds an unreachable node", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "flows", "booking.yaml"), (t) => `${t}  orphan:\n    kind: menu\n    text: booking.gone\n`),
    );
    expect(problems).toContain('flows/booking.yaml: node "orphan" cannot be reached');
  });

  it("finds a key missing in one language", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "locales", "en", "booking.json"), (t) => t.replace('"gone":', '"gone_renamed":')),
    );
    expect(problems).toContain('locales/en: key "booking.gone" is missing');
  });

  it("finds a key a feature renders outside the flows missing from both languages (booking's included)", async () => {
    const problems = await problemsAfter((root) => {
      for (const locale of ["km", "en"])
        edit(join(root, "locales", locale, "booking.json"), (t) =>
          t.replace('"reminder_late":', '"reminder_late_renamed":'),
        );
    });
    expect(problems).toContain('locales/km: key "booking.reminder_late" is missing');
  });

  it("finds a text over Telegram's 4096-character limit", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "locales", "km", "booking.json"), (t) => t.replace('"gone": "', `"gone": "${"ក".repeat(4100)}`)),
    );
    expect(problems).toContain('locales/km: "booking.gone" is over 4096 characters');
  });

  it("finds a loop that never waits for the user", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "flows", "main.yaml"), (t) =>
        t.replace(
          "  language_set:\n    kind: message\n    text: main.language_changed\n    next: menu",
          "  language_set:\n    kind: goto\n    target: language_set",
        ),
      ),
    );
    expect(problems).toContain(
      'flows/main.yaml: node "language_set" loops back to itself without waiting for the user',
    );
  });
});

describe("content check: articles", () => {
  const articles = (root: string) => join(root, "flows", "knowledge", "articles.yaml");
  async function problemsAfter(change: (root: string) => void): Promise<string[]> {
    const root = copyContent();
    change(root);
    const content = loadContent(defaults, root);
    return (await checkServiceContent(content, "2026-11-21")).problems;
  }
  function loadError(change: (root: string) => void): string {
    const root = copyContent();
    change(root);
    try {
      loadContent(defaults, root);
    } catch (err) {
      return (err as Error).message;
    }
    return "";
  }

  it("refuses an article without a source", () => {
    const message = loadError((root) =>
      edit(articles(root), (t) =>
        t
          .replace(/( {2}floods:\n(?:.*\n)*? {4}sources:\n)(?: {6}- .*\n)+/, "$1      []\n")
          .replace("    sources:\n      []", "    sources: []"),
      ),
    );
    expect(message).toContain("articles.floods.sources: needs at least one source");
  });

  it("refuses an article without a review date, or with a related article that does not exist", () => {
    expect(
      loadError((root) => edit(articles(root), (t) => t.replace(/( {2}floods:\n(?:.*\n)*?) {4}reviewed: .*\n/, "$1"))),
    ).toContain("articles.floods.reviewed");
    expect(
      loadError((root) =>
        edit(articles(root), (t) =>
          t.replace("related: [safety_plan, health_equity]", "related: [safety_plan, no_such_article]"),
        ),
      ),
    ).toContain('article "floods": related article "no_such_article" does not exist');
  });

  it("finds an article page missing in one language", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "locales", "en", "articles.json"), (t) => t.replace('"p2": "Cost', '"q2": "Cost')),
    );
    expect(problems).toContain(
      'article "passport": has 2 and 1 pages in km and en; both languages need the same pages',
    );
  });

  it("finds a page too long for a phone screen", async () => {
    const problems = await problemsAfter((root) =>
      edit(join(root, "locales", "en", "articles.json"), (t) =>
        t.replace('"p1": "If you or your family', `"p1": "${"x".repeat(1000)} If you or your family`),
      ),
    );
    expect(
      problems.some((p) => p.startsWith('article "floods": en p1 has') && p.includes("split it into another page")),
    ).toBe(true);
  });

  it("finds a topic listing an article that does not exist", () => {
    expect(
      loadError((root) => edit(articles(root), (t) => t.replace("mental_health]", "mental_health, ghost]"))),
    ).toContain('topic "health" lists article "ghost", which does not exist');
  });
});
