/**
 * What a voice recording reads aloud: an article ("article:<id>", shown with the 🔊 button on its first page) or a
 * key screen ("screen:start", the main menu a new resident sees after /start: how to use the buttons; and
 * "screen:emergency", the 🆘 numbers).
 */
import { parseArticlePage } from "../knowledge/flow.ts";

/** Key screens a recording can be attached to, and the flow node each is shown on. */
export const KEY_SCREENS = { start: "main.menu", emergency: "emergency.numbers" } as const;
export type KeyScreen = keyof typeof KEY_SCREENS;

export type RecordingTarget = `article:${string}` | `screen:${KeyScreen}`;

const TARGET_PATTERN = /^(?:article:[a-z][a-z0-9_]{0,19}|screen:(?:start|emergency))$/;

/** Whether `value` is a well-formed target (the article may still not exist: see {@link targetExists}). */
export function isRecordingTarget(value: string): value is RecordingTarget {
  return TARGET_PATTERN.test(value);
}

/**
 * Reads what a staff member typed after /recording: "article:passport", "passport" (an article id alone),
 * "start" or "emergency". Undefined when it names nothing that exists.
 */
export function readTarget(typed: string, articleExists: (id: string) => boolean): RecordingTarget | undefined {
  const word = typed.trim().toLowerCase();
  const candidate = word.includes(":") ? word : word in KEY_SCREENS ? `screen:${word}` : `article:${word}`;
  if (!isRecordingTarget(candidate)) return undefined;
  return targetExists(candidate, articleExists) ? candidate : undefined;
}

export function targetExists(target: RecordingTarget, articleExists: (id: string) => boolean): boolean {
  return target.startsWith("article:") ? articleExists(target.slice("article:".length)) : true;
}

/** The target whose 🔊 button belongs on the screen `node` ("flow.node"), if any. */
export function targetOfNode(node: string): RecordingTarget | undefined {
  const page = parseArticlePage(node);
  if (page) return page.page === 1 ? `article:${page.articleId}` : undefined;
  const screen = (Object.keys(KEY_SCREENS) as KeyScreen[]).find((s) => KEY_SCREENS[s] === node);
  return screen ? `screen:${screen}` : undefined;
}

/** The locale key of a target's name: the article's title, or the key screen's name. */
export function titleKeyOf(target: RecordingTarget): string {
  return target.startsWith("article:")
    ? `articles.${target.slice("article:".length)}.title`
    : `recordings.${target.replace(":", "_")}`;
}

/** Every target there is: each article, in the knowledge base's order, then the key screens. */
export function allTargets(articleIds: Iterable<string>): RecordingTarget[] {
  return [
    ...[...articleIds].map((id): RecordingTarget => `article:${id}`),
    ...(Object.keys(KEY_SCREENS) as KeyScreen[]).map((s): RecordingTarget => `screen:${s}`),
  ];
}
