/**
 * The emergency numbers screen: data from flows/data/emergency-numbers.yaml, rendered as a content block.
 * Only SOURCED numbers are accepted; each keeps its source and year.
 */
import { z } from "zod";
import { readYamlFile } from "../content/yaml-file.ts";
import type { Block } from "../engine/actions.ts";
import { text } from "../engine/reply.ts";

const entry = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]+$/),
  icon: z.string().min(1),
  /** Locale key of the service's name and what it is for. */
  name: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/),
  phones: z.array(z.string().regex(/^\d[\d ]{2,14}$/, "digits and spaces only")).min(1),
  free: z.boolean(),
  status: z.literal("SOURCED", "only numbers marked SOURCED in the research notes may be shown"),
  source: z.strictObject({ title: z.string().min(1), url: z.url(), year: z.number().int().min(1990).nullable() }),
  checked_by_staff: z.iso.date().nullable(),
});

export type EmergencyNumber = z.infer<typeof entry>;

/**
 * Reads and validates the emergency numbers file.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID naming the entry and problem.
 */
export function loadEmergencyNumbers(path: string): EmergencyNumber[] {
  return readYamlFile(path, z.strictObject({ numbers: z.array(entry).min(1) }), "flows/data/emergency-numbers.yaml").numbers;
}

/** The block that lists the numbers, one paragraph each: "🚓 Police: 117 (free)". */
export function emergencyNumbersBlock(numbers: EmergencyNumber[]): Block {
  return () => [
    ...numbers.map((n) =>
      text(n.free ? "emergency.line_free" : "emergency.line", { icon: n.icon, name: text(n.name), phones: n.phones.join(" / ") }),
    ),
    text("emergency.footer"),
  ];
}
