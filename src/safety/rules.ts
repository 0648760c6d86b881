/**
 * The danger rules: each reads the concepts a message was tagged with (who, what act, to whom, state, means, time)
 * and may find danger (level 2) or possible danger (level 1) of one kind. A rule is a short sentence a
 * safeguarding officer can check: "an act of violence with a person as doer or victim". Context that makes a
 * message about someone else, about the law, about the past or hypothetical lowers what the rules found.
 */
import { OTHERS, PEOPLE, type Tag, type Tagging } from "./tagger.ts";

/** The kinds of danger; each has the number that fits it first (see src/safety/screens.ts). */
export const DANGER_KINDS = [
  "medical",
  "suicide",
  "child_abuse",
  "sexual_violence",
  "trafficking",
  "threat",
  "gbv",
] as const;
export type DangerKind = (typeof DANGER_KINDS)[number];

export type Level = 0 | 1 | 2;

export interface Finding {
  rule: string;
  kind: DangerKind;
  level: Level;
  /** A weak sign (one unpaid wage, one debt): possible danger at most, whatever the model says. */
  weak?: boolean;
}

type Find = (rule: string, kind: DangerKind, level: 1 | 2, options?: { weak?: boolean }) => void;

export interface RuleResult {
  /** The highest level found after context; 0 when nothing was found. */
  level: Level;
  /** Every kind found, the most serious first (medical, then suicide, child, ...; a message may show a child in
   * danger and trafficking). */
  kinds: DangerKind[];
  /** The kinds the message's context calls for whoever finds the danger: a child or a parent named (the child line),
   * work or abroad (the trafficking line). Included in `kinds` when a rule found something. */
  contextKinds: DangerKind[];
  findings: Finding[];
  /** Why findings were lowered: the context concepts present. */
  lowered: string[];
  /** The writer names themself with their own child, partner or family (news that concerns them is not strangers'). */
  aboutOwnPeople: boolean;
  /** How many words the message has. */
  words: number;
  /** Whether the message asks for an emergency number (police, ambulance...) without saying more. */
  asksForNumber: boolean;
  /** Whether a possible danger may become danger on the model's word (not when every finding is a weak sign). */
  promotable: boolean;
  /** Whether any act, means or state of harm was named (the model alone may not raise a message without one). */
  signal: boolean;
  /** Whether one of them is a strong sign (an act, a means, a medical emergency), not only unpaid wages or a debt. */
  strongSignal: boolean;
  /** Whether, short of a strong sign, there is a sign of harm to a body: an illness, or drink. */
  bodySignal: boolean;
}

/** Signs that alone never make danger: they can be part of an ordinary question. */
const WEAK_SIGNALS: ReadonlySet<string> = new Set([
  "unpaid",
  "debt_trap",
  "docs",
  "medical_weak",
  "drunk",
  "topic_word",
]);
/** A request for a number is short: "លេខរាយការណ៍ការជួញដូរមនុស្ស", "what number do I call for help". */
const MAX_NUMBER_REQUEST_WORDS = 14;
/** Concepts that name an act, a means or a state of harm (not people, places or context). */
const SIGNALS = [
  "hit",
  "sexual",
  "bad_thing",
  "not_agree",
  "kill",
  "threaten",
  "weapon",
  "chase",
  "confine",
  "no_phone",
  "docs",
  "debt_trap",
  "sold",
  "compound",
  "unpaid",
  "cannot_go_home",
  "neglect",
  "grooming",
  "suicide",
  "want_die",
  "die",
  "self_harm",
  "suicide_means",
  "suicide_place",
  "goodbye",
  "hopeless",
  "medical_crisis",
  "bleeding",
  "injury",
  "medical_weak",
  "danger",
  "fear",
  "help",
  "drunk",
  "topic_word",
] as const;
/** Context that lowers a finding by one level each (at most two). */
const LOWERING = ["generic", "past", "safe_now"] as const;

/** Applies every rule to a tagged message. */
export function applyRules(tagging: Tagging): RuleResult {
  const view = conceptView(tagging.tags);
  const { has } = view;
  const findings: Finding[] = [];
  const find: Find = (rule, kind, level, options) =>
    findings.push({ rule, kind, level, ...(options?.weak ? { weak: true } : {}) });
  const person = PEOPLE.some(has) || has("passive");
  const anyPerson = OTHERS.some(has);
  const childVictim = view.childVictim();
  const workContext = has("abroad") || has("employer") || has("work") || has("compound");

  // Suicide and self-harm.
  if (has("suicide") || has("want_die") || has("self_harm"))
    find("says they want to end their life or hurt themselves", "suicide", 2);
  const intent = has("goodbye") || has("hopeless") || has("die") || has("want_die");
  // Rat poison asked about or set for the rats, with no despair, goodbye, death or poisoning, is pest control
  // ("where do I put rat poison so my grandson can't reach it? the rats eat all the rice").
  const pestControl =
    has("pest") &&
    (has("animal") || has("info_request") || has("question") || has("question_mark")) &&
    !intent &&
    !has("medical_crisis");
  if (has("suicide_means") && !pestControl) {
    if (has("self") || intent || has("now")) find("a means of suicide with intent, a goodbye or despair", "suicide", 2);
    else find("a means of suicide", "suicide", 1);
  }
  if (has("suicide_place") && (has("want_die") || has("suicide") || has("goodbye") || has("hopeless") || has("die")))
    find("a place or object of suicide with a wish to die, a goodbye or despair", "suicide", 2);
  if (has("goodbye") && (has("die") || has("hopeless"))) find("a goodbye with death or despair", "suicide", 2);
  // A last message alone ("this is my last post, bye everyone") is asked about: the model decides how far.
  else if (has("goodbye")) find("a goodbye", "suicide", 1);
  if (has("hopeless")) find("despair", "suicide", has("die") ? 2 : 1);

  // Medical emergencies.
  if (has("medical_crisis")) find("a medical emergency", "medical", 2);
  if (has("pregnant") && has("bleeding")) find("bleeding in pregnancy", "medical", 2);
  if (has("bleeding") && !has("pregnant"))
    find("bleeding", "medical", has("now") || has("help") || has("injury") ? 2 : 1);
  if (has("medical_weak") && (has("child") || has("pregnant")) && (has("now") || has("help") || has("plea_particle")))
    find("an urgent illness of a child or in pregnancy", "medical", 1);

  // Sexual violence.
  if (has("sexual"))
    find("sexual violence", childVictim || has("child") ? "child_abuse" : "sexual_violence", person ? 2 : 1);
  if (
    has("not_agree") &&
    (has("passive") || (has("self") && (has("other_person") || has("intimate")))) &&
    !workContext &&
    !has("sexual") &&
    !has("child")
  )
    find("forced, said as something done to them", "sexual_violence", 1);
  if (has("bad_thing") && person)
    find(
      "a person 'did a bad thing'",
      has("child") ? "child_abuse" : "sexual_violence",
      has("not_agree") || has("fear") || has("child") ? 2 : 1,
    );

  // Physical violence.
  if (has("hit")) {
    const kind: DangerKind = childVictim ? "child_abuse" : has("employer") && workContext ? "trafficking" : "gbv";
    find("an act of violence with a person as doer or victim", kind, person ? 2 : 1);
  }
  if (has("injury") && anyPerson && (has("hit") || has("drunk") || has("fear")))
    find("injuries with a person, drink or fear", childVictim ? "child_abuse" : "gbv", 2);
  else if (has("injury") && (anyPerson || has("self"))) find("injuries", "gbv", 1);
  if (has("drunk") && (has("intimate") || has("family")) && (has("fear") || has("injury") || has("threaten")))
    find("a drinking partner or relative, with fear or injuries", "gbv", 1);

  // Threats to life.
  if (has("kill") && !has("suicide"))
    find("a threat to kill", childVictim ? "child_abuse" : "threat", person || has("threaten") ? 2 : 1);
  if (has("threaten")) find("a threat", childVictim ? "child_abuse" : "threat", 2);
  if (has("weapon") && (anyPerson || has("chase") || has("fear") || has("threaten") || has("hit")))
    find("a weapon with a person, fear or a chase", "threat", 2);
  else if (has("weapon") && (has("help") || tagging.words <= 3))
    find("a weapon and a cry for help, or a weapon alone", "threat", 2);
  else if (has("weapon") && has("self") && has("now")) find("a weapon, now", "threat", 1);
  if (has("chase"))
    find(
      "being chased, followed or broken in on",
      "threat",
      has("self") || has("fear") || has("now") || has("help") ? 2 : 1,
    );

  // Violence, trafficking or abuse named as a topic counts only when the writer says it happens to them.
  if (has("topic_word") && has("self") && (has("passive") || has("now")))
    find(
      "says they suffer violence, abuse or trafficking",
      childVictim ? "child_abuse" : "gbv",
      has("passive") ? 2 : 1,
    );

  // A child made to work to pay a debt, or forced to work.
  if (has("child") && has("work") && (has("debt_trap") || has("not_agree") || has("employer")))
    find("a child made to work", "child_abuse", has("debt_trap") || has("not_agree") ? 2 : 1);

  // A child left alone, without food, or missing.
  if (has("neglect")) find("a child left without care or food", "child_abuse", has("child") ? 2 : 1);
  // Luring a child (photos asked for, secret chats, called into a room, "don't tell mum"): possible danger, which the
  // model may raise; a child named with a sexual act or a bad thing is danger by the rules above.
  if (has("grooming")) find("an adult luring a child", "child_abuse", 1);
  // "Lost" with a document or a thing (a birth certificate, a phone) is not a missing child: the thing comes before
  // "lost" or right after it. One named later is what was seen ("missing since yesterday, a neighbour saw a white
  // van").
  const missing = has("missing_child") ? "missing_child" : "cannot_go_home";
  const thingAt = view.firstAt("thing");
  const thingLost = thingAt < view.firstAt(missing) || thingAt <= view.firstEnd(missing) + 1;
  if (
    (has("missing_child") || (has("cannot_go_home") && has("child"))) &&
    !has("abroad") &&
    !has("docs") &&
    !thingLost &&
    !has("animal")
  )
    find("a missing child", "child_abuse", 2);

  // Trafficking and forced labour.
  trafficking(view, workContext, childVictim, find);

  // A cry for help, fear, danger.
  const plea = has("help") && (has("plea_particle") || tagging.words <= 3) && !has("info_request") && !has("question");
  if (plea && (onlyPlea(tagging) || has("danger") || has("fear"))) find("a cry for help", "threat", 2);
  else if (plea && (has("now") || tagging.words <= 3)) find("a cry for help", "threat", 1, { weak: true });
  if (has("danger") && !has("generic"))
    find("says they are in danger", "threat", has("self") || tagging.words <= 3 ? 2 : 1);
  if (has("fear") && (has("hit") || has("drunk") || has("injury") || has("home") || has("chase") || has("threaten")))
    find("fear of a person or of going home", childVictim ? "child_abuse" : "gbv", 1);

  // The past does not lower a goodbye: "thank you for having helped me, I want to say goodbye one last time".
  const lowered: string[] = LOWERING.filter((c) => has(c) && !(c === "past" && has("goodbye")));
  // "If" lowers a question ("what to do if a child swallows a coin?"), not a conditional threat ("if I run he will
  // kill me") or a disclosure ("if I say no he slaps me"), nor a question about the writer and their own family,
  // which is how many disclose ("is it normal if my husband lashes me with his belt?"), nor the condition of a threat
  // told before it ("the lender threatens to burn the house if I don't pay today").
  const ownFamily = has("self") && (has("intimate") || has("family"));
  const threatsCondition = view.firstAt("threaten") < view.firstAt("hypothetical");
  if (
    has("hypothetical") &&
    !ownFamily &&
    !threatsCondition &&
    (has("question") || has("question_mark") || has("info_request") || has("generic"))
  )
    lowered.push("hypothetical");
  // Two or more different words of a general question ("what are" ... "warning signs") lower twice.
  if (view.count("generic") >= 2) lowered.push("generic");
  // Laughter after an exaggeration ("I'll kill you 😂") lowers twice.
  if (has("joke") && !plea) lowered.push("joke", "joke");
  // News, films and games are about someone else: they lower twice, unless the writer says it is now.
  // News, films and games lower twice; once when the writer's own family is in it ("my daughter posted on FB...").
  const aboutOthers = has("report_other") && !plea;
  const close = has("self") && (has("child") || has("intimate") || has("family"));
  const drop = Math.min(2, lowered.length + (aboutOthers ? (close ? 1 : 2) : 0));
  if (aboutOthers) lowered.push("report_other");
  // Killing or hitting an animal is cooking, farming or pests.
  const animalActs = has("animal")
    ? [
        "a threat to kill",
        "an act of violence with a person as doer or victim",
        "a place or object of suicide with a wish to die, a goodbye or despair",
      ]
    : [];
  // "Petrol prices are killing me", "this traffic is killing me": with nobody else named, a price kills no one.
  const priceIdiom = has("price") && !anyPerson ? ["a threat to kill"] : [];
  const idiomatic = (rule: string) => animalActs.includes(rule) || priceIdiom.includes(rule);
  const adjusted = findings.map((f) => ({
    ...f,
    level: Math.max(0, f.level - drop - (idiomatic(f.rule) ? 2 : 0)) as Level,
  }));
  const found = adjusted.filter((f) => f.level > 0).sort((a, b) => b.level - a.level || rank(a.kind) - rank(b.kind));
  const kinds = [...new Set(found.map((f) => f.kind))];
  // A child named in a message about danger (or a parent, often named by a child writing), or work abroad, keeps the
  // child line or the trafficking line shown.
  const contextKinds: DangerKind[] = [
    ...(has("child") || has("family") ? (["child_abuse"] as const) : []),
    ...(workContext || has("abroad") ? (["trafficking"] as const) : []),
  ];
  if (kinds.length > 0) for (const k of contextKinds) if (!kinds.includes(k)) kinds.push(k);
  // A service and a number word ask for the number even in a general message ("an NGO worker wants the child
  // helpline's number for a poster"); without a number word, a general message is not a request.
  const asksForNumber =
    (has("service") &&
      (has("number_word") || (!has("generic") && (tagging.words <= 3 || (has("help") && tagging.words <= 6))))) ||
    (has("number_word") &&
      tagging.words <= MAX_NUMBER_REQUEST_WORDS &&
      ["service", "help", "report", "danger", "topic_word", "child", "medical_crisis"].some(has));
  const promotable = found.some((f) => !f.weak);
  const signal = SIGNALS.some(has);
  const strongSignal = SIGNALS.filter((s) => !WEAK_SIGNALS.has(s)).some(has);
  const bodySignal = has("medical_weak") || has("drunk");
  return {
    level: found[0]?.level ?? 0,
    kinds,
    contextKinds,
    findings: adjusted,
    lowered,
    aboutOwnPeople: close,
    words: tagging.words,
    asksForNumber,
    promotable,
    signal,
    strongSignal,
    bodySignal,
  };
}

/** Whether a message is nothing but a cry for help ("ជួយផង", "help me", "sos"), with no other word. */
function onlyPlea(tagging: Tagging): boolean {
  const covered = new Set<number>();
  for (const t of tagging.tags)
    if (t.concepts.some((c) => c === "help" || c === "plea_particle" || c === "self" || c === "danger"))
      for (let w = t.start; w < t.end; w++) covered.add(w);
  return tagging.words > 0 && tagging.words <= 3 && covered.size === tagging.words;
}

function trafficking(view: ConceptView, workContext: boolean, childVictim: boolean, find: Find) {
  const { has } = view;
  const indicators = [
    has("confine") && "confine",
    has("no_phone") && "no_phone",
    has("docs") && has("take") && "documents_kept",
    has("debt_trap") && "debt_trap",
    has("sold") && "sold",
    has("compound") && (has("confine") || has("work") || has("abroad") || has("employer") || has("sold")) && "compound",
    has("cannot_go_home") && "cannot_go_home",
    has("not_agree") && (has("work") || has("employer")) && "forced_work",
    has("unpaid") && "unpaid",
  ].filter((x): x is string => typeof x === "string");
  const strong = indicators.filter(
    (i) => i !== "unpaid" && i !== "debt_trap" && i !== "cannot_go_home" && i !== "compound" && i !== "no_phone",
  );
  // Sold, documents kept, a debt, a compound, abroad or an employer make it trafficking; otherwise someone held
  // by a partner, a relative or a stranger; trafficking stays among the kinds so its line is still shown.
  const trafficked =
    workContext || has("sold") || indicators.includes("documents_kept") || indicators.includes("debt_trap");
  const kind: DangerKind = trafficked
    ? "trafficking"
    : childVictim
      ? "child_abuse"
      : has("intimate") || has("family")
        ? "gbv"
        : "threat";
  const held = (rule: string, level: 1 | 2) => {
    find(rule, kind, level);
    if (kind !== "trafficking") find(rule, "trafficking", 1);
    // A child sold or held for work: the child helpline is shown beside the trafficking line.
    if (kind === "trafficking" && childVictim) find(rule, "child_abuse", 1);
  };
  if (indicators.length >= 2 && (strong.length >= 1 || workContext))
    held(`signs of trafficking or forced labour (${indicators.join(", ")})`, 2);
  else if (strong.length === 1 && (workContext || has("self") || has("child") || has("other_person")))
    held(`a sign of trafficking or being held (${strong[0]})`, 2);
  else if (strong.length === 1) held(`a sign of trafficking or being held (${strong[0]})`, 1);
  else if (indicators.length === 1 && indicators[0] !== "unpaid" && (workContext || has("abroad")))
    find(`a sign of forced labour (${indicators[0]})`, "trafficking", 1, { weak: true });
}

interface ConceptView {
  has: (concept: string) => boolean;
  /** How many different forms of a concept the message has. */
  count: (concept: string) => number;
  /** Whether a child is the one harmed: named after the act, or with a passive ("កូនខ្ញុំត្រូវគេវាយ"). */
  childVictim: () => boolean;
  /** The word position where a concept first appears (not negated); Infinity when it does not. */
  firstAt: (concept: string) => number;
  /** The word position just after that first appearance; -Infinity when it does not appear. */
  firstEnd: (concept: string) => number;
}

function conceptView(tags: readonly Tag[]): ConceptView {
  const present = new Set<string>();
  for (const tag of tags) if (!tag.negated) for (const c of tag.concepts) present.add(c);
  const has = (concept: string) => present.has(concept);
  const ACTS = ["hit", "sexual", "kill", "threaten", "bad_thing", "confine", "sold"];
  return {
    has,
    count: (concept) => new Set(tags.filter((t) => !t.negated && t.concepts.includes(concept)).map((t) => t.key)).size,
    firstAt: (concept) => tags.find((t) => !t.negated && t.concepts.includes(concept))?.start ?? Infinity,
    firstEnd: (concept) => tags.find((t) => !t.negated && t.concepts.includes(concept))?.end ?? -Infinity,
    childVictim: () => {
      // A form that names both ("វាយកូន" hit a child, "លក់កូន" sell a child).
      if (tags.some((t) => !t.negated && t.concepts.includes("child") && t.concepts.some((c) => ACTS.includes(c))))
        return true;
      const firstAct = tags.find((t) => !t.negated && t.concepts.some((c) => ACTS.includes(c)));
      if (!firstAct) return has("child");
      return tags.some(
        (t) =>
          t.concepts.includes("child") &&
          (t.start > firstAct.start ||
            has("passive") ||
            !tags.some((o) => o.start > firstAct.start && o.concepts.includes("self"))),
      );
    },
  };
}

function rank(kind: DangerKind): number {
  return DANGER_KINDS.indexOf(kind);
}
