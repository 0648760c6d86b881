/**
 * Loads everything a conversation is made of: flows (structure), locales (words), data files (service
 * directory, holidays, knowledge base, the danger classifier) and the search index. The registry of actions,
 * blocks and choice providers that flows may name is built by createRegistry (registry.ts), because some of
 * them write to the database.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../base/project-root.ts";
import type { Locale } from "../base/locale.ts";
import type { StepwiseValue } from "../base/stepwise.ts";
import { type FlowSet, loadFlows } from "../engine/flows.ts";
import type { TextParam } from "../base/reply.ts";
import { type Directory, loadDirectory } from "../directory/services.ts";
import { loadHolidays } from "../scheduling/calendar.ts";
import { createTranslator, type LocaleTree, loadLocales, type Resources, type Translator } from "../i18n/translator.ts";
import { buildKnowledgeFlow, KB_FLOW } from "../knowledge/flow.ts";
import { keptQuestionModels } from "../knowledge/kept-models.ts";
import { type KnowledgeBase, loadKnowledge } from "../knowledge/model.ts";
import { createDangerClassifier, type DangerClassifier } from "../safety/classifier.ts";
import { loadConceptForms } from "../safety/lexicon.ts";
import { loadDangerModel } from "../safety/model.ts";
import { type IndicatorSet, loadIndicators, loadPlaces, type Places } from "../programme/definitions.ts";
import { loadShippedRecordings, type ShippedRecording } from "../recordings/shipped.ts";
import { lazySearchIndex, type SearchDocument, type SearchIndex, type SearchOptions } from "../knowledge/search.ts";

export { PROJECT_ROOT };

export interface Content {
  flows: FlowSet;
  resources: Resources;
  translator: Translator;
  /** The service directory (flows/data/services.yaml). */
  directory: Directory;
  /** Public holidays (flows/data/holidays.yaml), as ISO dates. */
  holidays: string[];
  knowledge: KnowledgeBase;
  /** The articles as the search indexes them (for rebuilding the index with other options). */
  searchDocuments: SearchDocument[];
  /** The options the index is built with (synonyms, stopwords, romanised words), for rebuilding it. */
  searchOptions: SearchOptions;
  /** Built on first use (under a second): start-up does not wait for it (see service.ts). */
  readonly searchIndex: SearchIndex;
  /** The same index, which can also be built in slices between other work (see service.ts). */
  readonly searchIndexBuild: StepwiseValue<SearchIndex>;
  /** How many pages an article has (p1, p2, ... in locales/km/articles.json). */
  pagesOf: (articleId: string) => number;
  /** The danger classifier over flows/safety/concepts.yaml and flows/safety/model.json. */
  classifyDanger: DangerClassifier;
  /** Keys a native speaker still has to review, per locale (locales/<lang>/_review.json). */
  reviewKeys: Record<string, string[]>;
  /** The programme's indicator definitions (flows/programme/indicators.yaml). */
  indicators: IndicatorSet;
  /** The sangkats of the three khans (flows/data/sangkats.yaml). */
  places: Places;
  /** Voice recordings shipped as OGG files (flows/audio/recordings.yaml). */
  recordings: ShippedRecording[];
}

/**
 * Loads content from `root` (default: the repository). `defaults` gives, per locale, parameters every string may
 * use (e.g. retention_days).
 * @throws {SpeanError} naming the file and problem when a file is malformed.
 */
export function loadContent(defaults: (locale: Locale) => Record<string, TextParam>, root = PROJECT_ROOT): Content {
  const flowsDir = join(root, "flows");
  const handWritten = loadFlows(flowsDir);
  const resources = loadLocales(join(root, "locales"));
  const knowledge = loadKnowledge(flowsDir);
  const pagesOf = (articleId: string) => pageKeys(resources.km, articleId).length;
  const flows: FlowSet = { flows: new Map([...handWritten.flows, [KB_FLOW, buildKnowledgeFlow(knowledge, pagesOf)]]) };
  const reviewKeys: Record<string, string[]> = {};
  for (const locale of ["km", "en"]) {
    const file = join(root, "locales", locale, "_review.json");
    reviewKeys[locale] = existsSync(file)
      ? ((JSON.parse(readFileSync(file, "utf8")) as { keys?: string[] }).keys ?? [])
      : [];
  }
  const documents = searchDocuments(knowledge, resources);
  const searchOptions: SearchOptions = {
    synonyms: knowledge.synonyms,
    stopwords: knowledge.stopwords,
    romanised: knowledge.romanised,
    outOfScope: [...knowledge.outOfScope, ...knowledge.dev.outOfScope],
    keptModels: keptQuestionModels(),
  };
  const searchIndexBuild = lazySearchIndex(documents, searchOptions);
  return {
    flows,
    resources,
    translator: createTranslator(resources, defaults),
    directory: loadDirectory(join(flowsDir, "data", "services.yaml")),
    holidays: loadHolidays(join(flowsDir, "data", "holidays.yaml")).flatMap((y) => y.dates),
    knowledge,
    searchDocuments: documents,
    searchOptions,
    get searchIndex() {
      return searchIndexBuild.get();
    },
    searchIndexBuild,
    pagesOf,
    classifyDanger: createDangerClassifier(loadConceptForms(flowsDir), loadDangerModel(flowsDir)),
    reviewKeys,
    indicators: loadIndicators(flowsDir),
    places: loadPlaces(flowsDir),
    recordings: loadShippedRecordings(flowsDir),
  };
}

/** The keys p1, p2, ... of an article in one locale, in order. */
export function pageKeys(tree: LocaleTree, articleId: string): string[] {
  const article = (tree.articles as LocaleTree | undefined)?.[articleId];
  if (!article || typeof article !== "object") return [];
  const keys: string[] = [];
  for (let page = 1; typeof article[`p${page}`] === "string"; page++) keys.push(`p${page}`);
  return keys;
}

/** Each article as the search index sees it: titles, keywords and pages in both languages, and example questions. */
function searchDocuments(kb: KnowledgeBase, resources: Resources): SearchDocument[] {
  return [...kb.articles.values()].map((article) => {
    const texts = (["km", "en"] as const).map(
      (l) => (resources[l].articles as LocaleTree | undefined)?.[article.id] as LocaleTree | undefined,
    );
    return {
      id: article.id,
      titles: texts.map((t) => (typeof t?.title === "string" ? t.title : "")),
      keywords: [...article.keywords.km, ...article.keywords.en],
      bodies: texts.flatMap((t) =>
        Object.entries(t ?? {}).flatMap(([k, v]) => (/^p\d+$/.test(k) && typeof v === "string" ? [v] : [])),
      ),
      examples: [...(kb.examples[article.id] ?? []), ...(kb.dev.examples[article.id] ?? [])],
    };
  });
}
