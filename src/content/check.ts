/**
 * The content check (`npm run content:check`, also run at start-up and in the test suite): every target and
 * action exists, every node is reachable, every key exists in km and en, no text is over Telegram's limit, and
 * all callback data fits in 64 bytes.
 */
import { LOCALES } from "../engine/actions.ts";
import { encodeCallback, fitsCallbackLimit } from "../engine/callback-data.ts";
import type { FlowNode } from "../engine/flow-schema.ts";
import { ENTRY, type NodeRef, findNode, resolveTarget } from "../engine/flows.ts";
import { GLOBAL_COMMANDS, NAV_LABELS } from "../engine/interpreter.ts";
import type { LocaleTree } from "../i18n/translator.ts";
import { MESSAGE_MAX_CHARS } from "../telegram/renderer.ts";
import type { Content } from "./load.ts";

export interface CheckReport {
  /** Anything here stops start-up and fails the check. */
  problems: string[];
  /** Worth fixing, but not blocking (e.g. numbers staff have not yet confirmed by phone). */
  warnings: string[];
}

/** The highest step a button can carry (the conversation step counter is a safe integer). */
const MAX_STEP = Number.MAX_SAFE_INTEGER;

/** Checks loaded content; pure, no I/O. */
export function checkContent(content: Content): CheckReport {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { flows, registry, translator } = content;
  const usedKeys = new Set<string>(Object.values(NAV_LABELS));

  for (const [flowId, flow] of flows.flows) {
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      const where = `flows/${flowId}.yaml: node "${nodeId}"`;
      for (const target of targetsOf(node)) {
        if (!findNode(flows, resolveTarget(flowId, target))) problems.push(`${where}: goes to "${target}", which does not exist`);
      }
      for (const action of actionsOf(node)) {
        if (!registry.actions.has(action)) problems.push(`${where}: action "${action}" is not registered`);
      }
      if (node.kind === "menu") {
        for (const block of node.blocks ?? []) if (!registry.blocks.has(block)) problems.push(`${where}: block "${block}" is not registered`);
        const ids = new Set<string>();
        for (const choice of node.choices) {
          if (ids.has(choice.id)) problems.push(`${where}: choice id "${choice.id}" is used twice`);
          ids.add(choice.id);
          const data = encodeCallback({ kind: "choice", step: MAX_STEP, choice: choice.id });
          if (!fitsCallbackLimit(data)) problems.push(`${where}: callback data for choice "${choice.id}" is over 64 bytes`);
        }
      }
      for (const key of keysOf(node)) usedKeys.add(key);
    }
  }
  for (const data of [encodeCallback({ kind: "back", step: MAX_STEP }), encodeCallback({ kind: "menu" }), encodeCallback({ kind: "emergency" })]) {
    if (!fitsCallbackLimit(data)) problems.push(`navigation callback data "${data}" is over 64 bytes`);
  }

  const entries: NodeRef[] = [...Object.values(ENTRY), ...Object.values(GLOBAL_COMMANDS)];
  for (const entry of entries) if (!findNode(flows, entry)) problems.push(`entry point "${entry}" does not exist`);
  const reachable = reach(content, entries);
  for (const [flowId, flow] of flows.flows) {
    for (const nodeId of Object.keys(flow.nodes)) {
      if (!reachable.has(`${flowId}.${nodeId}`)) problems.push(`flows/${flowId}.yaml: node "${nodeId}" cannot be reached`);
    }
  }
  problems.push(...loopsWithoutScreens(content));

  for (const n of content.emergencyNumbers) {
    usedKeys.add(n.name);
    if (!n.checked_by_staff) warnings.push(`emergency number "${n.id}" (${n.phones.join(", ")}) has not been confirmed by phone (checked_by_staff is empty)`);
  }
  for (const key of ["emergency.line", "emergency.line_free", "emergency.footer", "common.apology", "common.expired", "common.expired_short"]) usedKeys.add(key);

  for (const key of usedKeys) {
    for (const locale of LOCALES) if (!translator.has(locale, key)) problems.push(`locales/${locale}: key "${key}" is missing`);
  }
  const leaves = Object.fromEntries(LOCALES.map((l) => [l, flatten(content.resources[l])]));
  for (const locale of LOCALES) {
    for (const [key, value] of leaves[locale] ?? new Map()) {
      for (const other of LOCALES) if (other !== locale && !leaves[other]?.has(key)) problems.push(`locales/${other}: key "${key}" is missing (it exists in ${locale})`);
      if ([...value].length > MESSAGE_MAX_CHARS) problems.push(`locales/${locale}: "${key}" is over ${MESSAGE_MAX_CHARS} characters`);
      if (value.trim() === "") problems.push(`locales/${locale}: "${key}" is empty`);
    }
  }
  problems.push(...screenLengths(content));
  for (const [locale, keys] of Object.entries(content.reviewKeys)) {
    for (const key of keys) if (!leaves[locale]?.has(key)) problems.push(`locales/${locale}/_review.json: "${key}" is not a key`);
  }
  return { problems: [...new Set(problems)], warnings };
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
      return [node.text, ...node.choices.map((c) => c.label)];
    case "ask":
      return [node.text, node.invalid, "common.share_phone"];
    case "end":
      return node.text ? [node.text] : [];
    default:
      return [];
  }
}

function reach(content: Content, entries: NodeRef[]): Set<NodeRef> {
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
          if (target === start) problems.push(`flows/${flowId}.yaml: node "${nodeId}" loops back to itself without waiting for the user`);
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
function screenLengths(content: Content): string[] {
  const problems: string[] = [];
  for (const [flowId, flow] of content.flows.flows) {
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      if (node.kind !== "menu") continue;
      for (const locale of LOCALES) {
        const blocks = (node.blocks ?? []).flatMap((b) => content.registry.blocks.get(b)?.({ locale, vars: {} }) ?? []);
        const text = [{ key: node.text }, ...blocks].map((ref) => content.translator.render(locale, ref)).join("\n\n");
        if ([...text].length > MESSAGE_MAX_CHARS) problems.push(`flows/${flowId}.yaml: node "${nodeId}" renders over ${MESSAGE_MAX_CHARS} characters in ${locale}`);
      }
    }
  }
  return problems;
}

function flatten(tree: LocaleTree, prefix = "", out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}
