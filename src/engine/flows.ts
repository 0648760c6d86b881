/**
 * Loading flows from flows/*.yaml and looking nodes up. Loading checks each file's shape; content-check.ts checks
 * how the files fit together (targets, actions, locale keys, reachability).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { SpeanError } from "../base/errors.ts";
import { readCheckedFile } from "../base/yaml-file.ts";
import { type Flow, type FlowNode, flowFile } from "./flow-schema.ts";

/** A node's full name, "flow.node". */
export type NodeRef = string;

export interface FlowSet {
  readonly flows: ReadonlyMap<string, Flow>;
}

/** Where every conversation starts (/start), the main menu, and the other fixed entry points. */
export const ENTRY = {
  welcome: "main.welcome",
  menu: "main.menu",
  help: "main.help",
  language: "main.language",
  emergency: "emergency.numbers",
  /** "Are you safe right now?" after a message the danger classifier was unsure about (records, then asks). */
  safetyCheckIn: "safety.checkin",
  safetyCheck: "safety.check",
  /** "I'm safe": the engine answers the held message where it was typed instead of going here. */
  safetyResume: "safety.resume",
} as const satisfies Record<string, NodeRef>;

/**
 * Reads every `*.yaml` file directly in `dir` as a flow.
 * @throws {SpeanError} SPEAN_FLOW_INVALID naming each file, node and problem.
 */
export function loadFlows(dir: string): FlowSet {
  const problems: string[] = [];
  const flows = new Map<string, Flow>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  for (const file of files) {
    const flow = parseFlowFile(join(dir, file), problems);
    if (!flow) continue;
    if (flows.has(flow.id)) problems.push(`flows/${file}: flow id "${flow.id}" is used by another file too`);
    flows.set(flow.id, flow);
  }
  if (problems.length > 0) throw flowError(problems);
  return { flows };
}

function parseFlowFile(path: string, problems: string[]): Flow | undefined {
  const name = `flows/${path.split(/[\\/]/).pop()}`;
  let parsed: ReturnType<typeof flowFile.safeParse>;
  try {
    parsed = readCheckedFile(path, flowFile, name);
  } catch (err) {
    problems.push(`${name}: not valid YAML (${(err as Error).message.split("\n")[0]})`);
    return undefined;
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, nodeId, ...rest] = issue.path.map(String);
      const where =
        first === "nodes" && nodeId
          ? `node "${nodeId}"${rest.length ? ` (${rest.join(".")})` : ""}`
          : issue.path.join(".") || "file";
      problems.push(`${name}: ${where}: ${issue.message}`);
    }
    return undefined;
  }
  return parsed.data;
}

/** Builds the error thrown for flow problems. */
export function flowError(problems: string[]): SpeanError {
  return new SpeanError("SPEAN_FLOW_INVALID", `flow problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
    problems,
  });
}

/** Resolves a target written in flow `fromFlow` ("node" or "flow.node") to a full node name. */
export function resolveTarget(fromFlow: string, target: string): NodeRef {
  return target.includes(".") ? target : `${fromFlow}.${target}`;
}

/** Looks a node up by its full name; undefined when it does not exist (e.g. after a content change). */
export function findNode(set: FlowSet, ref: NodeRef): FlowNode | undefined {
  const [flowId, nodeId] = splitRef(ref);
  return set.flows.get(flowId)?.nodes[nodeId];
}

/** Splits "flow.node" into its two parts. */
export function splitRef(ref: NodeRef): [string, string] {
  const dot = ref.indexOf(".");
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}
