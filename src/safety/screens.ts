/**
 * What a resident sees when the classifier finds danger or possible danger: the numbers that fit the kind of
 * danger first. Numbers come from the service directory (flows/data/services.yaml, SOURCED entries only), never
 * from the text files, and are written in Latin digits so that phones link and dial them.
 */
import type { Directory } from "../directory/services.ts";
import type { Block, Vars } from "../engine/actions.ts";
import { type Reply, type TextRef, text } from "../base/reply.ts";
import { DANGER_KINDS, type DangerKind } from "./rules.ts";

/**
 * The services the danger screen names first, by kind (ids in flows/data/services.yaml), as the lead texts
 * safety.lead.<kind> name them. Suicide: no suicide line is SOURCED in Cambodia, so TPO's psychological counselling
 * comes first, then Child Helpline Cambodia (free, 24 h, up to 25 years), then ambulance and police for a life in
 * danger now. Child Helpline Cambodia also counsels young people and women facing violence at home, so the
 * violence leads name it too.
 */
export const LEAD_SERVICES: Readonly<Record<DangerKind, readonly string[]>> = {
  medical: ["ambulance", "police"],
  suicide: ["tpo", "child_helpline", "ambulance", "police"],
  child_abuse: ["child_helpline", "police", "ambulance"],
  sexual_violence: ["police", "mowa_counselling", "child_helpline", "ambulance"],
  trafficking: ["anti_trafficking_police", "lscw_trafficking", "police"],
  threat: ["police", "ambulance"],
  gbv: ["police", "mowa_counselling", "child_helpline", "ambulance"],
};

/** The services that fit each kind (what the evaluation requires to be shown first). */
export const FITTING_SERVICES: Readonly<Record<DangerKind, readonly string[]>> = {
  medical: ["ambulance"],
  suicide: ["tpo", "child_helpline", "ambulance"],
  child_abuse: ["child_helpline"],
  sexual_violence: ["police"],
  trafficking: ["anti_trafficking_police", "lscw_trafficking"],
  threat: ["police"],
  gbv: ["police"],
};

/** A lead names at most this many other kinds after the first (one line each). */
const MAX_ALSO = 3;
/** The check-in always shows these two, plus each kind's first service when it is another. */
const CHECK_SERVICES = ["police", "ambulance"] as const;

/** The kinds in a list, or held in a conversation variable ("child_abuse,trafficking"); unknown names dropped. */
export function kindsOf(value: unknown): DangerKind[] {
  const names = Array.isArray(value) ? value.map(String) : String(value ?? "").split(",");
  return names.filter((k): k is DangerKind => (DANGER_KINDS as readonly string[]).includes(k));
}

/**
 * The services an outcome names first: the first kind's lead (danger) or police and ambulance (check), then the
 * first service of every other kind.
 */
export function shownFirst(outcome: "danger" | "check", kinds: readonly DangerKind[]): readonly string[] {
  const [first, ...others] = kinds;
  const head =
    outcome === "danger" && first
      ? LEAD_SERVICES[first]
      : [...CHECK_SERVICES, ...(first ? LEAD_SERVICES[first].slice(0, 1) : [])];
  const extra = (outcome === "danger" ? others.slice(0, MAX_ALSO) : others).map((k) => LEAD_SERVICES[k][0]!);
  return [...new Set([...head, ...extra])];
}

/** Phones of every directory service, by id, for the texts' {{placeholders}} ("117", "097 911 1918 / ..."). */
export function phoneParams(directory: Directory): Record<string, string> {
  return Object.fromEntries(directory.services.map((s) => [s.id, s.phones.join(" / ")]));
}

/**
 * The first reply to a danger message: the first kind's lead (safety.lead.<kind>), then one line for each other
 * kind whose number the lead does not already give (safety.also.<kind>), with the directory's numbers.
 */
export function dangerLead(kinds: readonly DangerKind[], directory: Directory): Reply {
  const [first = "threat", ...others] = kinds;
  const phones = phoneParams(directory);
  const named = new Set(LEAD_SERVICES[first]);
  const lines: TextRef[] = [text(`safety.lead.${first}`, phones)];
  for (const kind of others.slice(0, MAX_ALSO)) {
    const service = LEAD_SERVICES[kind][0]!;
    if (named.has(service)) continue;
    named.add(service);
    lines.push(text(`safety.also.${kind}`, phones));
  }
  return { text: [text("common.lines", { lines })], discreet: true };
}

/** The check-in screen's numbers: police and ambulance, and the first service of each kind found. */
export function checkNumbersBlock(directory: Directory): Block {
  const byId = new Map(directory.services.map((s) => [s.id, s]));
  return ({ vars }) => {
    const lines: TextRef[] = shownFirst("check", kindsOf(vars.safety_kind)).flatMap((id) => {
      const s = byId.get(id);
      return s
        ? [
            text("safety.check_line", {
              icon: s.icon,
              name: text(`directory.${s.id}.name`),
              phones: s.phones.join(" / "),
            }),
          ]
        : [];
    });
    return [text("common.lines", { lines })];
  };
}

/** The services the emergency screen lists first: those of the danger just found. */
export function emergencyFirst(vars: Readonly<Vars>): readonly string[] {
  return shownFirst("danger", kindsOf(vars.safety_kind));
}

/**
 * What content check requires of the danger texts in one locale: every service the screens claim to show first is
 * in the directory, each lead names all of its kind's services ({{id}}), and each "also" line its kind's first.
 */
export function safetyTextProblems(
  locale: string,
  leaves: ReadonlyMap<string, string>,
  directory: Directory,
): string[] {
  const ids = new Set(directory.services.map((s) => s.id));
  const problems: string[] = [];
  for (const kind of DANGER_KINDS) {
    for (const id of LEAD_SERVICES[kind])
      if (!ids.has(id))
        problems.push(`src/safety/screens.ts: service "${id}" (${kind}) is not in flows/data/services.yaml`);
    const needs: [string, readonly string[]][] = [
      [`safety.lead.${kind}`, LEAD_SERVICES[kind]],
      [`safety.also.${kind}`, LEAD_SERVICES[kind].slice(0, 1)],
    ];
    for (const [key, services] of needs) {
      const value = leaves.get(key) ?? "";
      for (const id of services)
        if (!value.includes(`{{${id}}}`)) problems.push(`locales/${locale}: "${key}" does not name {{${id}}}`);
    }
  }
  return problems;
}

/** The one-line safety net under "not sure", typed-question answers and unsupported messages. */
export function safetyNetLine(directory: Directory): TextRef {
  return text("safety.net", phoneParams(directory));
}
