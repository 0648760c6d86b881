/**
 * Safety as the flow engine sees it: the classifier behind every typed message, the lead that names the fitting
 * number first, the emergency numbers screen, the "Are you safe right now?" check-in (flows/safety.yaml) with its
 * counts, and the one-line safety net. Runs inside the turn's transaction, so a count is written together with
 * the resident's answer.
 */
import { type Directory, emergencyNumbersBlock } from "../directory/services.ts";
import type { Feature } from "../features/contract.ts";
import type { Action, SafetyHooks } from "../engine/actions.ts";
import type { DangerClassifier } from "./classifier.ts";
import { DANGER_KINDS } from "./rules.ts";
import { checkNumbersBlock, dangerLead, emergencyFirst, kindsOf, safetyNetLine } from "./screens.ts";
import type { SafetyStore } from "./store.ts";

export interface SafetyFeatureOptions {
  classify: DangerClassifier;
  directory: Directory;
  /** Where check-in choices are counted; without it nothing is counted (content check). */
  store?: SafetyStore;
}

/** Words the feature shows outside the flow files (content check makes sure both languages have them). */
export const SAFETY_TEXT_KEYS = [
  "safety.check_line",
  "safety.net",
  ...DANGER_KINDS.flatMap((k) => [`safety.lead.${k}`, `safety.also.${k}`]),
] as const;

export function createSafetyFeature(options: SafetyFeatureOptions): Feature & { hooks: SafetyHooks } {
  const { classify, directory, store } = options;
  const hooks: SafetyHooks = {
    assess: (text) => {
      const { outcome, kinds = [], guessed } = classify(text);
      return { outcome, kinds, ...(guessed ? { guessed } : {}) };
    },
    dangerReplies: (kinds) => [dangerLead(kindsOf(kinds), directory)],
    net: safetyNetLine(directory),
  };

  const checkIn: Action = async () => {
    await store?.record("shown");
    return {};
  };

  /** "I need help now" (the lead for the kind, then the emergency screen) or "I'm safe" (the held message answered). */
  const choose: Action = async ({ params, vars }) => {
    const help = params.choice === "help";
    await store?.record(help ? "help" : "safe");
    if (!help) return {};
    // The engine forgets the held message once the check-in screen is left.
    return { replies: [dangerLead(kindsOf(vars.safety_kind), directory)] };
  };

  return {
    name: "safety",
    textKeys: SAFETY_TEXT_KEYS,
    hooks,
    flow: {
      actions: new Map<string, Action>([
        ["safety_checkin", checkIn],
        ["safety_choice", choose],
      ]),
      blocks: new Map([
        ["emergency_numbers", emergencyNumbersBlock(directory, emergencyFirst)],
        ["safety_check_numbers", checkNumbersBlock(directory)],
      ]),
      safety: hooks,
    },
  };
}
