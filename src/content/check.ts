/**
 * The content check (`npm run content:check`, also run at start-up and in the test suite): every target and
 * action exists, every node is reachable, every key exists in km and en, no text is over Telegram's limit, and
 * all callback data fits in 64 bytes.
 */
import { type Registry } from "../engine/actions.ts";
import type { TextRef } from "../base/reply.ts";
import { LOCALES } from "../base/locale.ts";
import { CHOICE_ID_PATTERN, encodeCallback, fitsCallbackLimit } from "../engine/callback-data.ts";
import type { FlowNode } from "../engine/flow-schema.ts";
import { ENTRY, type NodeRef, findNode, resolveTarget } from "../engine/flows.ts";
import { EXIT_LABEL, GLOBAL_COMMANDS, NAV_LABELS } from "../engine/interpreter.ts";
import { DIRECTORY_TEXT_KEYS, LAST_CHECKED_WARN_DAYS, serviceKeys } from "../directory/services.ts";
import type { LocaleTree } from "../i18n/translator.ts";
import { MESSAGE_MAX_CHARS } from "../outbox/message.ts";
import { safetyTextProblems } from "../safety/screens.ts";
import { type Content, pageKeys } from "./load.ts";

export interface CheckReport {
  /** Anything here stops start-up and fails the check. */
  problems: string[];
  /** Worth fixing, but not blocking (e.g. numbers staff have not yet confirmed by phone). */
  warnings: string[];
}

/** The highest step a button can carry (the conversation step counter is a safe integer). */
const MAX_STEP = Number.MAX_SAFE_INTEGER;

/** An article page must fit a cheap phone's screen without much scrolling; longer articles get more pages. */
export const ARTICLE_PAGE_MAX_CHARS = 900;
/** Articles whose review is older than this get a warning. */
const REVIEW_WARN_DAYS = 365;

/**
 * Checks loaded content against the registry flows may name and the text keys features render (both built from
 * the feature list). No I/O of its own; choice providers and blocks are asked what they show for an unknown chat.
 * `today` is YYYY-MM-DD.
 */
export async function checkContent(
  content: Content,
  registry: Registry,
  textKeys: Iterable<string>,
  today = new Date().toISOString().slice(0, 10),
): Promise<CheckReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { flows, translator } = content;
  const usedKeys = new Set<string>(Object.values(NAV_LABELS));

  for (const [flowId, flow] of flows.flows) {
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      const where = `flows/${flowId}.yaml: node "${nodeId}"`;
      for (const target of targetsOf(node)) {
        if (!findNode(flows, resolveTarget(flowId, target)))
          problems.push(`${where}: goes to "${target}", which does not exist`);
      }
      for (const action of actionsOf(node)) {
        if (!registry.actions.has(action)) problems.push(`${where}: action "${action}" is not registered`);
      }
      if (node.kind === "menu") {
        for (const block of node.blocks ?? [])
          if (!registry.blocks.has(block)) problems.push(`${where}: block "${block}" is not registered`);
        if (node.choices_from && !registry.choices.has(node.choices_from))
          problems.push(`${where}: choice provider "${node.choices_from}" is not registered`);
        const ids = new Set<string>();
        for (const choice of node.choices) {
          if (ids.has(choice.id)) problems.push(`${where}: choice id "${choice.id}" is used twice`);
          ids.add(choice.id);
          const data = encodeCallback({ kind: "choice", step: MAX_STEP, choice: choice.id });
          if (!fitsCallbackLimit(data))
            problems.push(`${where}: callback data for choice "${choice.id}" is over 64 bytes`);
        }
      }
      for (const key of keysOf(node)) usedKeys.add(key);
    }
  }
  for (const data of [
    encodeCallback({ kind: "back", step: MAX_STEP }),
    encodeCallback({ kind: "menu" }),
    encodeCallback({ kind: "emergency" }),
  ]) {
    if (!fitsCallbackLimit(data)) problems.push(`navigation callback data "${data}" is over 64 bytes`);
  }

  const entries: NodeRef[] = [...Object.values(ENTRY), ...Object.values(GLOBAL_COMMANDS), ...(registry.entries ?? [])];
  for (const entry of entries) if (!findNode(flows, entry)) problems.push(`entry point "${entry}" does not exist`);
  const reachable = await reach(content, registry, entries);
  for (const [flowId, flow] of flows.flows) {
    for (const nodeId of Object.keys(flow.nodes)) {
      if (!reachable.has(`${flowId}.${nodeId}`))
        problems.push(`flows/${flowId}.yaml: node "${nodeId}" cannot be reached`);
    }
  }
  problems.push(...loopsWithoutScreens(content));

  const directory = checkDirectory(content, today);
  warnings.push(...directory.warnings);
  for (const key of directory.keys) usedKeys.add(key);
  for (const key of ["common.apology", "common.expired", "common.expired_short", "common.flood_wait", EXIT_LABEL]) {
    usedKeys.add(key);
  }
  for (const key of [...DIRECTORY_TEXT_KEYS, ...textKeys]) usedKeys.add(key);

  for (const key of usedKeys) {
    for (const locale of LOCALES)
      if (!translator.has(locale, key)) problems.push(`locales/${locale}: key "${key}" is missing`);
  }
  const leaves = Object.fromEntries(LOCALES.map((l) => [l, flatten(content.resources[l])]));
  for (const locale of LOCALES) {
    for (const [key, value] of leaves[locale] ?? new Map()) {
      for (const other of LOCALES)
        if (other !== locale && !leaves[other]?.has(key))
          problems.push(`locales/${other}: key "${key}" is missing (it exists in ${locale})`);
      if ([...value].length > MESSAGE_MAX_CHARS)
        problems.push(`locales/${locale}: "${key}" is over ${MESSAGE_MAX_CHARS} characters`);
      if (value.trim() === "") problems.push(`locales/${locale}: "${key}" is empty`);
    }
  }
  problems.push(...(await screenLengths(content, registry)));
  for (const locale of LOCALES)
    problems.push(...safetyTextProblems(locale, leaves[locale] ?? new Map(), content.directory));
  const knowledge = await checkKnowledge(content, registry, today);
  problems.push(...knowledge.problems);
  warnings.push(...knowledge.warnings);
  for (const [locale, keys] of Object.entries(content.reviewKeys)) {
    for (const key of keys)
      if (!leaves[locale]?.has(key)) problems.push(`locales/${locale}/_review.json: "${key}" is not a key`);
  }
  return { problems: [...new Set(problems)], warnings };
}

/**
 * The directory: its words exist, every entry was compared with its source in the last 180 days, and the numbers
 * staff have not yet confirmed by phone are listed.
 */
function checkDirectory(content: Content, today: string): { keys: string[]; warnings: string[] } {
  const { directory } = content;
  const keys = [
    ...directory.services.flatMap(serviceKeys),
    ...directory.categories.map((c) => `help.category_${c}`),
    ...directory.districts.map((d) => `help.district_${d}`),
  ];
  const warnings: string[] = [];
  const todayMs = Date.parse(today);
  for (const s of directory.services) {
    const age = Math.floor((todayMs - Date.parse(s.last_checked)) / 86_400_000);
    if (age > LAST_CHECKED_WARN_DAYS)
      warnings.push(
        `service "${s.id}" was last checked against its source ${age} days ago (${s.last_checked}); check it again`,
      );
    if (!s.checked_by_staff)
      warnings.push(
        `service "${s.id}" (${s.phones.join(", ")}) has not been confirmed by phone (checked_by_staff is empty)`,
      );
  }
  return { keys, warnings };
}

function targetsOf(node: FlowNode): string[] {
  switch (node.kind) {
    case "message":
      return node.next ? [node.next] : [];
    case "menu":
      return node.choices.map((c) => c.next);
    case "ask":
      return [node.next];
    case "action":
      return [...(node.next ? [node.next] : []), ...Object.values(node.outcomes ?? {})];
    case "goto":
      return [node.target];
    case "end":
      return [];
  }
}

function actionsOf(node: FlowNode): string[] {
  if (node.kind === "action") return [node.action];
  if (node.kind === "menu") return node.choices.flatMap((c) => (c.action ? [c.action] : []));
  return [];
}

function keysOf(node: FlowNode): string[] {
  switch (node.kind) {
    case "message":
      return [node.text];
    case "menu":
      return [...(node.title ? [node.title] : []), node.text, ...node.choices.map((c) => c.label)];
    case "ask":
      return [node.text, node.invalid, "common.share_phone"];
    case "end":
      return node.text ? [node.text] : [];
    default:
      return [];
  }
}

/** Nodes reachable from the entries by static choices and by the buttons choice providers add. */
async function reach(content: Content, registry: Registry, entries: NodeRef[]): Promise<Set<NodeRef>> {
  const seen = new Set<NodeRef>();
  const queue = [...entries];
  while (queue.length > 0) {
    const ref = queue.pop() as NodeRef;
    if (seen.has(ref)) continue;
    const node = findNode(content.flows, ref);
    if (!node) continue;
    seen.add(ref);
    const flowId = ref.slice(0, ref.indexOf("."));
    for (const target of targetsOf(node)) queue.push(resolveTarget(flowId, target));
    if (node.kind === "menu" && node.choices_from) {
      for (const choice of (await registry.choices.get(node.choices_from)?.({
        node: ref,
        chatId: 0,
        locale: "km",
        vars: {},
      })) ?? [])
        queue.push(choice.next);
    }
  }
  return seen;
}

/** A cycle of message/action/goto nodes would run forever without waiting for the user. */
function loopsWithoutScreens(content: Content): string[] {
  const problems: string[] = [];
  for (const [flowId, flow] of content.flows.flows) {
    for (const nodeId of Object.keys(flow.nodes)) {
      const start = `${flowId}.${nodeId}`;
      const stack: NodeRef[] = [start];
      const visited = new Set<NodeRef>();
      while (stack.length > 0) {
        const ref = stack.pop() as NodeRef;
        const node = findNode(content.flows, ref);
        if (!node || node.kind === "menu" || node.kind === "ask" || node.kind === "end") continue;
        const from = ref.slice(0, ref.indexOf("."));
        for (const target of targetsOf(node).map((t) => resolveTarget(from, t))) {
          if (target === start)
            problems.push(`flows/${flowId}.yaml: node "${nodeId}" loops back to itself without waiting for the user`);
          else if (!visited.has(target)) {
            visited.add(target);
            stack.push(target);
          }
        }
      }
    }
  }
  return problems;
}

/** Every screen, as it would be rendered (text + blocks), must fit one Telegram message. */
async function screenLengths(content: Content, registry: Registry): Promise<string[]> {
  const problems: string[] = [];
  for (const [flowId, flow] of content.flows.flows) {
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      if (node.kind !== "menu") continue;
      for (const locale of LOCALES) {
        const blocks: TextRef[] = [];
        for (const name of node.blocks ?? [])
          blocks.push(...((await registry.blocks.get(name)?.({ chatId: 0, locale, vars: {} })) ?? []));
        const text = [...(node.title ? [{ key: node.title }] : []), { key: node.text }, ...blocks]
          .map((ref) => content.translator.render(locale, ref))
          .join("\n\n");
        if ([...text].length > MESSAGE_MAX_CHARS)
          problems.push(
            `flows/${flowId}.yaml: node "${nodeId}" renders over ${MESSAGE_MAX_CHARS} characters in ${locale}`,
          );
      }
    }
  }
  return problems;
}

/**
 * Articles: both languages with the same number of pages, each page short enough for a phone, a recent review,
 * and buttons (from the kb_article provider, shown with every possible "other answer") that lead somewhere and fit
 * Telegram's callback-data limit.
 */
async function checkKnowledge(content: Content, registry: Registry, today: string): Promise<CheckReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const provider = registry.choices.get("kb_article");
  for (const article of content.knowledge.articles.values()) {
    const where = `article "${article.id}"`;
    const counts = LOCALES.map((l) => pageKeys(content.resources[l], article.id).length);
    if (counts.some((n) => n === 0))
      problems.push(`${where}: needs p1 (and a title) in locales/km/articles.json and locales/en/articles.json`);
    if (new Set(counts).size > 1)
      problems.push(
        `${where}: has ${counts.join(" and ")} pages in ${LOCALES.join(" and ")}; both languages need the same pages`,
      );
    for (const locale of LOCALES) {
      for (const key of pageKeys(content.resources[locale], article.id)) {
        const length = [...content.translator.render(locale, { key: `articles.${article.id}.${key}` })].length;
        if (length > ARTICLE_PAGE_MAX_CHARS)
          problems.push(
            `${where}: ${locale} ${key} has ${length} characters ` +
              `(at most ${ARTICLE_PAGE_MAX_CHARS}: split it into another page)`,
          );
      }
    }
    const ageDays = (Date.parse(today) - Date.parse(article.reviewed)) / 86_400_000;
    if (ageDays > REVIEW_WARN_DAYS) warnings.push(`${where}: last reviewed ${article.reviewed}, over a year ago`);
    if (!provider) continue;
    const others = [...content.knowledge.articles.keys()]
      .filter((id) => id !== article.id)
      .slice(0, 2)
      .join(",");
    for (let page = 1; page <= content.pagesOf(article.id); page++) {
      const node = `kb.a_${article.id}_${page}`;
      for (const choice of await provider({
        node,
        chatId: 0,
        locale: "km",
        vars: { kb_best: article.id, kb_others: others },
      })) {
        if (!CHOICE_ID_PATTERN.test(choice.id))
          problems.push(`${where}: button id "${choice.id}" is not a valid choice id`);
        if (!findNode(content.flows, choice.next))
          problems.push(`${where}: button "${choice.id}" goes to "${choice.next}", which does not exist`);
        if (choice.action && !registry.actions.has(choice.action))
          problems.push(`${where}: action "${choice.action}" is not registered`);
      }
    }
  }
  return { problems, warnings };
}

function flatten(tree: LocaleTree, prefix = "", out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}
