/**
 * The shape of a flow file (flows/*.yaml), validated with zod when content is loaded.
 *
 * A target names a node: "node" in the same flow, or "flow.node" in another one.
 */
import { z } from "zod";
import { CHOICE_ID_PATTERN } from "./callback-data.ts";

const key = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, 'must be a locale key such as "main.welcome"');
const target = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)?$/, 'must be "node" or "flow.node"');
const params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const choice = z.strictObject({
  id: z.string().regex(CHOICE_ID_PATTERN, "must be 1-24 characters of a-z, 0-9 and _"),
  label: key,
  next: target,
  /** Runs before moving to `next` (e.g. set_locale). */
  action: z.string().optional(),
  params: params.optional(),
});

const common = {
  /** Sensitive screens are sent with protect_content and without notification. */
  discreet: z.boolean().optional(),
};

export const messageNode = z.strictObject({
  kind: z.literal("message"),
  text: key,
  next: target.optional(),
  ...common,
});

export const menuNode = z.strictObject({
  kind: z.literal("menu"),
  /** Shown above the text (e.g. an article's title on its first page). */
  title: key.optional(),
  text: key,
  /** Named content blocks appended to the text (e.g. emergency_numbers). */
  blocks: z.array(z.string()).optional(),
  choices: z.array(choice).default([]),
  /** A registered provider of more choices, computed when the screen is shown (e.g. related articles). */
  choices_from: z.string().optional(),
  /** Buttons per row (default 1: Khmer labels are long). */
  columns: z.union([z.literal(1), z.literal(2)]).default(1),
  /** The main menu itself has no Back / Main menu row. */
  home: z.boolean().default(false),
  ...common,
});

export const askNode = z.strictObject({
  kind: z.literal("ask"),
  text: key,
  input: z.enum(["text", "number", "phone", "date"]),
  /** The conversation variable that receives the answer. */
  var: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
  /** number: smallest and largest value; text: shortest and longest length (default 1..500). */
  min: z.number().int().optional(),
  max: z.number().int().optional(),
  /** date: whether past dates are refused (default true) */
  future_only: z.boolean().default(true),
  /** Said when the answer is not valid, before asking again. */
  invalid: key,
  next: target,
  ...common,
});

export const actionNode = z.strictObject({
  kind: z.literal("action"),
  action: z.string(),
  params: params.optional(),
  next: target.optional(),
  /** Where to go for each outcome the action returns; `next` is the default. */
  outcomes: z.record(z.string(), target).optional(),
});

export const gotoNode = z.strictObject({ kind: z.literal("goto"), target });
export const endNode = z.strictObject({ kind: z.literal("end"), text: key.optional(), ...common });

export const node = z.discriminatedUnion("kind", [messageNode, menuNode, askNode, actionNode, gotoNode, endNode]);

export const flowFile = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]+$/),
  description: z.string().optional(),
  nodes: z.record(z.string().regex(/^[a-z0-9_]+$/, "node ids are a-z, 0-9 and _"), node),
});

export type FlowNode = z.infer<typeof node>;
export type MenuNode = z.infer<typeof menuNode>;
export type AskNode = z.infer<typeof askNode>;
export type Choice = z.infer<typeof choice>;
export type Flow = z.infer<typeof flowFile>;
/** A node that waits for the user: a screen. */
export type ScreenNode = MenuNode | AskNode;
