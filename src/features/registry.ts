/**
 * The flow registry, built from the list of features: every action, block and choice provider a flow may name, and
 * the engine's hooks. Two features registering the same name, or two claiming the same callback prefix, is a
 * programming error found at start-up.
 */
import type { Awaitable } from "../base/awaitable.ts";
import { SpeanError } from "../base/errors.ts";
import type { Button } from "../base/reply.ts";
import { type Action, type Block, type ChoiceProvider, type Registry, setLocale } from "../engine/actions.ts";
import type { Feature } from "./contract.ts";

/** The registry over `features`, in their order (it decides who answers typed text first). */
export function createRegistry(features: readonly Feature[]): Registry {
  assertUniquePrefixes(features);
  const actions = merge<Action>("action", [
    ["engine", new Map([["set_locale", setLocale]])],
    ...features.map((f) => [f.name, f.flow?.actions] as const),
  ]);
  const blocks = merge<Block>(
    "block",
    features.map((f) => [f.name, f.flow?.blocks] as const),
  );
  const choices = merge<ChoiceProvider>(
    "choice provider",
    features.map((f) => [f.name, f.flow?.choices] as const),
  );
  const freeTexts = features.flatMap((f) => (f.flow?.freeText ? [f.flow.freeText] : []));
  const besideDanger = features.flatMap((f) => (f.flow?.besideDanger ? [f.flow.besideDanger] : []));
  const externalButtons = features.flatMap((f) => (f.flow?.externalButton ? [f.flow.externalButton] : []));
  const screenButtons = features.flatMap((f) => (f.flow?.screenButtons ? [f.flow.screenButtons] : []));
  const safety = features.flatMap((f) => (f.flow?.safety ? [f.flow.safety] : []));
  if (safety.length > 1) throw new SpeanError("SPEAN_FEATURE_CONFLICT", "more than one feature assesses danger");
  return {
    actions,
    blocks,
    choices,
    freeText: (ctx) => firstAnswer(freeTexts, ctx),
    besideDanger: (ctx) => firstAnswer(besideDanger, ctx),
    externalButton: (ctx) => firstAnswer(externalButtons, ctx),
    screenButtons: async (ctx) => {
      const rows: Button[] = [];
      for (const hook of screenButtons) rows.push(...(await hook(ctx)));
      return rows;
    },
    entries: features.flatMap((f) => f.flow?.entries ?? []),
    ...(safety[0] ? { safety: safety[0] } : {}),
  };
}

/** Every text key the features render outside the flow files. */
export function featureTextKeys(features: readonly Feature[]): string[] {
  return features.flatMap((f) => f.textKeys ?? []);
}

function merge<T>(
  what: string,
  parts: readonly (readonly [string, ReadonlyMap<string, T> | undefined])[],
): Map<string, T> {
  const merged = new Map<string, T>();
  const owner = new Map<string, string>();
  for (const [feature, entries] of parts) {
    for (const [name, entry] of entries ?? []) {
      if (merged.has(name))
        throw new SpeanError(
          "SPEAN_FEATURE_CONFLICT",
          `${what} "${name}" is registered by ${owner.get(name)} and ${feature}`,
        );
      merged.set(name, entry);
      owner.set(name, feature);
    }
  }
  return merged;
}

/** The first hook's answer that is not undefined; hooks are asked one after another, in the feature list's order. */
async function firstAnswer<C, R>(
  hooks: readonly ((ctx: C) => Awaitable<R | undefined>)[],
  ctx: C,
): Promise<R | undefined> {
  for (const hook of hooks) {
    const answer = await hook(ctx);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

function assertUniquePrefixes(features: readonly Feature[]): void {
  const seen = new Map<string, string>();
  for (const feature of features) {
    for (const button of feature.buttons ?? []) {
      const other = seen.get(button.prefix);
      if (other)
        throw new SpeanError(
          "SPEAN_FEATURE_CONFLICT",
          `callback prefix "${button.prefix}" is claimed by ${other} and ${feature.name}`,
        );
      seen.set(button.prefix, feature.name);
    }
  }
}
