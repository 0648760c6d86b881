/**
 * Tagging a message with concepts: the message is normalised (spelling folds, digits, invisible characters),
 * split into words (Intl.Segmenter for Khmer), and each span of whole words that is a lexicon form gets that
 * form's concepts. Where forms overlap, the longest one starting first wins, so a form never fires inside a longer
 * word or phrase (វាយតម្លៃ is "evaluate", not វាយ "hit"). Words no form matched are searched once more for acts
 * inside them, at Khmer syllable boundaries, because the segmenter cuts misspelled text wrongly (ប៉ាវាយខ្ញុំ →
 * ប៉ាវា|យ|ខ្ញុំ). A negation just before an act, in the same clause, marks the act negated.
 */
import { tokenize } from "../khmer/normalize.ts";
import { exactWord, type Lexicon, romanisedWord } from "./lexicon.ts";

export interface Tag {
  concepts: readonly string[];
  /** Word positions [start, end). */
  start: number;
  end: number;
  /** The lexicon key that matched (lexicon text, never more of the message than the form itself). */
  key: string;
  /** Set when a negation stands just before this act ("មិនដែលវាយ", "never hit"). */
  negated: boolean;
}

export interface Tagging {
  tags: Tag[];
  /** How many words the message has. */
  words: number;
}

/** Telegram's longest message; anything longer is cut (a danger phrase at character 4,000 still counts). */
export const MAX_CLASSIFY_CHARS = 4096;

/** Concepts that a negation just before them cancels. */
const NEGATABLE = new Set([
  "hit",
  "sexual",
  "kill",
  "threaten",
  "suicide",
  "want_die",
  "self_harm",
  "suicide_means", // "my child did not swallow the pills"
  "bad_thing",
  "chase",
  "fear",
  "medical_crisis",
  "die",
  "confine",
  "sold",
  "take",
  "danger",
  "not_agree",
  "unpaid",
  "topic_word",
  "joke", // "អត់និយាយលេងទេ": not joking
]);
/** How many words may stand between a negation and the act it negates ("មិនដែលបានវាយ"). */
const NEGATION_REACH = 2;

/**
 * Marks that end a clause: a comma or full stop (not inside a number such as 1.5 or 2,000), ។ ៕ ; ! ? and a new
 * line. A negation does not reach past one ("bay ot krob, ot oy chenh": not enough rice, not allowed out).
 */
const CLAUSE_END = /(?<!\d)[.,](?!\d)|[;!?។៕\n]/;

/** The words the lexicon is matched against, clause by clause (see {@link CLAUSE_END}). */
export function messageClauses(text: string): string[][] {
  const cut = [...text].slice(0, MAX_CLASSIFY_CHARS).join("");
  return cut
    .split(CLAUSE_END)
    .map((clause) => tokenize(clause, clause.length))
    .filter((words) => words.length > 0);
}

/**
 * Tags `words` (from {@link messageClauses}) with the lexicon's concepts; `clauseStarts` holds the positions of the
 * words that begin a new clause (default none).
 */
export function tagWords(
  words: readonly string[],
  lexicon: Lexicon,
  clauseStarts: ReadonlySet<number> = new Set(),
): Tagging {
  const exact = words.map(exactWord);
  const romanised = words.map(romanisedWord);
  const tags: Tag[] = [];
  let i = 0;
  while (i < words.length) {
    const found = longestAt(i, exact, romanised, lexicon);
    if (!found) {
      i++;
      continue;
    }
    const person = found.end - i > 1 ? personBeforeLongerForm(i, found.end, exact, romanised, lexicon) : undefined;
    if (person) {
      tags.push({ ...person, start: i, negated: false });
      i = person.end;
      continue;
    }
    tags.push({ ...found, start: i, negated: false });
    i = found.end;
  }
  tags.push(...inWordTags(words, tags, lexicon));
  tags.push(...notLetGoTags(words, tags));
  tags.push(...lockedInTags(words, tags));
  tags.sort((a, b) => a.start - b.start);
  notWantingSelfHarm(tags, words);
  markNegations(tags, words, clauseStarts);
  return { tags: withoutOthersRefusing(tags, words), words: words.length };
}

function longestAt(i: number, exact: string[], romanised: string[], lexicon: Lexicon) {
  const last = Math.min(exact.length, i + lexicon.maxWords);
  let best: { concepts: readonly string[]; end: number; key: string } | undefined;
  let exactKey = "";
  let romanKey = "";
  for (let j = i; j < last; j++) {
    exactKey += exact[j];
    romanKey += romanised[j];
    const concepts = lexicon.exact.get(exactKey) ?? lexicon.romanised.get(romanKey);
    if (concepts) best = { concepts, end: j + 1, key: lexicon.exact.has(exactKey) ? exactKey : romanKey };
  }
  return best;
}

/**
 * A form that begins with a person's word gives way to a longer form that begins right after that word: in
 * ខ្ញុំ|មិន|ចង់|រស់ ("I don't want to live"), ខ្ញុំមិនចង់ ("I did not want it") would otherwise hide មិនចង់រស់. Returns
 * the person's one-word tag when that happens.
 */
function personBeforeLongerForm(i: number, end: number, exact: string[], romanised: string[], lexicon: Lexicon) {
  const first = lexicon.exact.get(exact[i]!) ?? lexicon.romanised.get(romanised[i]!);
  if (!first?.some((c) => (PEOPLE as readonly string[]).includes(c))) return undefined;
  const after = longestAt(i + 1, exact, romanised, lexicon);
  if (!after || after.end <= end) return undefined;
  return { concepts: first, end: i + 1, key: lexicon.exact.has(exact[i]!) ? exact[i]! : romanised[i]! };
}

/** Acts found inside runs of untagged Khmer words, longest form first, at syllable boundaries. */
function inWordTags(words: readonly string[], tags: readonly Tag[], lexicon: Lexicon): Tag[] {
  const covered = new Array<boolean>(words.length).fill(false);
  for (const tag of tags) for (let w = tag.start; w < tag.end; w++) covered[w] = true;
  const found: Tag[] = [];
  let w = 0;
  while (w < words.length) {
    if (covered[w] || !KHMER.test(words[w]!)) {
      w++;
      continue;
    }
    const runStart = w;
    while (w < words.length && !covered[w] && KHMER.test(words[w]!)) w++;
    found.push(...formsInRun(words, runStart, w, lexicon));
  }
  return found.filter((t) => !t.concepts.includes("neutral"));
}

function formsInRun(words: readonly string[], from: number, to: number, lexicon: Lexicon): Tag[] {
  const text = words.slice(from, to).join("");
  const wordAt: number[] = [];
  for (let k = from; k < to; k++) for (let c = 0; c < words[k]!.length; c++) wordAt.push(k);
  const tags: Tag[] = [];
  // Left to right, the longest form at each syllable start; a found form is skipped over.
  for (let at = 0; at < text.length; at++) {
    if (!startsSyllable(text, at)) continue;
    const found = lexicon.inWord
      .get(text[at]!)
      ?.find(({ key }) => text.startsWith(key, at) && endsSyllable(text, at + key.length));
    if (!found) continue;
    const end = at + found.key.length;
    tags.push({
      concepts: found.concepts,
      key: found.key,
      start: wordAt[at]!,
      end: wordAt[end - 1]! + 1,
      negated: false,
    });
    at = end - 1;
  }
  return tags;
}

const KHMER = /^[\u1780-\u17ff]+$/;
const COENG = "\u17d2";
/** A Khmer consonant or independent vowel: where a syllable can start. */
const BASE = /[\u1780-\u17b3]/;

function startsSyllable(text: string, at: number): boolean {
  return BASE.test(text[at]!) && (at === 0 || text[at - 1] !== COENG);
}

function endsSyllable(text: string, end: number): boolean {
  return end === text.length || (BASE.test(text[end]!) && text[end - 1] !== COENG);
}

const NOT_LET = /^(?:មិនឲ្យ|អត់ឲ្យ|គ្មានឲ្យ|មិនដែលឲ្យ)$/;
const NOT = new Set(["មិន", "អត់", "មិនដែល", "min", "ot", "at"]);
const LET = new Set(["ឲ្យ", "oy", "aoy", "ouy"]);
/** Leaving, going home, calling or meeting (not "go and play": a parent may forbid that). */
const GO = /^(?:ចេញ|មកវិញ|ត្រលប់|ខល|តេ|ប្រើទូរស័ព្ទ|ជួប|ចាកចេញ|ទៅណា|ទៅផ្ទះ|មកផ្ទះ|chenh|chen|leave|call|tel)/;

/**
 * "Not let (someone) go": a negation, ឲ្យ "let", at most two words (who), and a verb of leaving, calling or
 * meeting (ប្តីមិនឲ្យខ្ញុំចេញពីផ្ទះ, "ot oy knhom chenh"): being held, whoever it is.
 */
function notLetGoTags(words: readonly string[], tags: readonly Tag[]): Tag[] {
  const found: Tag[] = [];
  const lower = words.map((w) => w.toLowerCase());
  for (let i = 0; i < lower.length; i++) {
    const letAt = NOT_LET.test(lower[i]!) ? i : NOT.has(lower[i]!) && LET.has(lower[i + 1] ?? "") ? i + 1 : -1;
    if (letAt < 0) continue;
    const goAt = [letAt + 1, letAt + 2, letAt + 3].find((k) => k < lower.length && GO.test(lower[k]!));
    if (goAt === undefined || tags.some((t) => t.start <= goAt && t.end > i && t.concepts.includes("confine")))
      continue;
    found.push({ concepts: ["confine"], key: "not_let_go", start: i, end: goAt + 1, negated: false });
  }
  return found;
}

/** Locking: ចាក់សោ, "lock(ed)", "chak so". */
const LOCK = /^(?:ចាក់សោ|ចាក់សោរ|lock|locked|locks|chak ?so|chak ?sor)$/;
/** "In" or "kept" after the person locked up. */
const INSIDE = /^(?:ក្នុង|នៅក្នុង|ទុក|in|inside|knong|nov knong|tuk)$/;

/**
 * "Locked (someone) in": a lock, a person right after it (at most two words), then "in" or "kept" within two words
 * (ចាក់សោកូនប្រសាស្រីក្នុងបន្ទប់, "locked my wife in the room"): being held. Locking a door or a house is not.
 */
function lockedInTags(words: readonly string[], tags: readonly Tag[]): Tag[] {
  const found: Tag[] = [];
  const lower = words.map((w) => w.toLowerCase());
  const personAt = (k: number) => tags.find((t) => t.start === k && PEOPLE.some((c) => t.concepts.includes(c)));
  for (let i = 0; i < lower.length; i++) {
    if (!LOCK.test(lower[i]!)) continue;
    const person = personAt(i + 1) ?? personAt(i + 2);
    if (!person) continue;
    const inAt = [person.end, person.end + 1, person.end + 2].find((k) => k < lower.length && INSIDE.test(lower[k]!));
    if (inAt === undefined) continue;
    // "lock my bike in the house": a thing locked up, not a person.
    if (tags.some((t) => t.start >= person.end && t.start < inAt && t.concepts.includes("thing"))) continue;
    found.push({ concepts: ["confine"], key: "locked_in", start: i, end: inAt + 1, negated: false });
  }
  return found;
}

/** Concepts that name a person. */
export const PEOPLE = ["self", "child", "intimate", "family", "other_person", "employer"] as const;
/** People other than the writer. */
export const OTHERS: readonly string[] = PEOPLE.filter((p) => p !== "self");

/** "Refuse" (មិនព្រម, "ot prom"): "I did not agree" when the writer says it, but not when someone else refuses. */
const REFUSE = /ព្រម|prom/;

/**
 * Drops "did not agree" where another person, named just before it, is the one refusing ("ម្ចាស់ផ្ទះមិនព្រមឲ្យ
 * ប្រាក់កក់វិញ": the landlord refuses to return the deposit). Being forced (បង្ខំ) is kept whoever is named.
 */
function withoutOthersRefusing(tags: Tag[], words: readonly string[]): Tag[] {
  return tags.filter((tag, k) => {
    if (!tag.concepts.includes("not_agree")) return true;
    if (!REFUSE.test(words.slice(tag.start, tag.end).join(" ").toLowerCase())) return true;
    const before = tags[k - 1];
    return !(before && before.end === tag.start && OTHERS.some((c) => before.concepts.includes(c)));
  });
}

/** "Not want", at the end of a form ("ខ្ញុំមិនចង់", "ot chong"). */
const NOT_WANT = /(?:មិន|អត់) ?ចង់$|\b(?:min|mun|ot|at) ?(?:chong|chang|jong)$/;
/** What a person does to themself: wishing not to is saying they will not. */
const SELF_DIRECTED = new Set(["suicide", "want_die", "self_harm", "suicide_means"]);
/** "I" at the start of such a form (ញុំ is already folded to ខ្ញុំ). */
const I_WORDS = new Set(["ខ្ញុំ", "knhom", "nhom", "khnhom", "knyom", "i"]);

/**
 * "I don't want to kill myself": a "did not want it" form (a disclosure of being forced) right before an act against
 * oneself is a plain negation of that act instead.
 */
function notWantingSelfHarm(tags: Tag[], words: readonly string[]): void {
  for (const [k, tag] of tags.entries()) {
    const next = tags[k + 1];
    if (!next || next.start !== tag.end || !next.concepts.some((c) => SELF_DIRECTED.has(c))) continue;
    if (!tag.concepts.includes("bad_thing") && !tag.concepts.includes("not_agree")) continue;
    if (!NOT_WANT.test(words.slice(tag.start, tag.end).join(" ").toLowerCase())) continue;
    tags[k] = { ...tag, concepts: I_WORDS.has(words[tag.start]!.toLowerCase()) ? ["self", "negation"] : ["negation"] };
  }
}

/** Whether a new clause starts at a word in [from, to]. */
function crossesClause(from: number, to: number, clauseStarts: ReadonlySet<number>): boolean {
  for (let at = from; at <= to; at++) if (clauseStarts.has(at)) return true;
  return false;
}

/** Chat's "x" (អត់, "not") after a number is "times": "ke vay knhom 3x" (they hit me three times). */
function isTimes(tag: Tag, words: readonly string[]): boolean {
  return words[tag.start]?.toLowerCase() === "x" && /^\d+$/.test(words[tag.start - 1] ?? "");
}

/** Words that join two acts under one negation ("never touched me or said dirty things"). */
const OR_WORDS = new Set(["ឬ", "ឬក៏", "or", "nor", "rur", "reu", "ru"]);

/**
 * A negation negates the first act after it within reach, past people and particles ("nobody is hurting me"), and
 * an act joined to that one by "or" right after it ("អត់ដែល touch ឬនិយាយអាសអាភាស": never touched or talked dirty).
 */
function markNegations(tags: Tag[], words: readonly string[], clauseStarts: ReadonlySet<number>): void {
  tags.forEach((tag, k) => {
    if (!tag.concepts.includes("negation") || isTimes(tag, words)) return;
    for (const [j, next] of tags.slice(k + 1).entries()) {
      if (next.start < tag.end) continue; // a form that contains the negation ("not let go")
      if (next.start - tag.end > NEGATION_REACH || next.concepts.includes("negation")) return;
      if (crossesClause(tag.end, next.start, clauseStarts)) return;
      if (next.concepts.some((c) => NEGATABLE.has(c))) {
        next.negated = true;
        const joined = tags[k + 2 + j];
        const or = OR_WORDS.has((words[next.end] ?? "").toLowerCase());
        if (joined && joined.start === next.end + 1 && or) joined.negated = true;
        return;
      }
    }
  });
}
