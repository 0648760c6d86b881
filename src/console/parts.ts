/** The staff console's parts as the service holds them (built in service/core.ts). */
import type { ConsoleAccess } from "./access.ts";
import type { ConsoleDesk } from "./desk.ts";
import type { ResultsDesk } from "../programme/results.ts";
import type { RecordingsDesk } from "../recordings/desk.ts";

export interface ConsoleParts {
  access: ConsoleAccess;
  desk: ConsoleDesk;
  /** Programme results, group activities and the CIP report (the programme feature's console pages). */
  results: ResultsDesk;
  /** Voice recordings of answers: every page and what plays there, attaching a content member's voice notes. */
  recordings: RecordingsDesk;
  /** The origin of console links (CONSOLE_URL, the webhook's origin, or the sandbox's address). */
  origin: () => string | undefined;
  /** Sets the origin once it is known (the sandbox's own address after it listens), unless configured. */
  useOrigin: (origin: string) => void;
}
