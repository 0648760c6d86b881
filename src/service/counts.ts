/**
 * What the service counts while it runs: updates in by what admission did, messages out by purpose, send failures
 * by kind, quarantines. Plain numbers in memory, always kept; Prometheus reads them at scrape time when
 * METRICS_PORT is set (metrics.ts, loaded only then). Counts only, never a chat.
 */
import type { Admitted } from "../inbox/admission.ts";
import type { SendFailure } from "../outbox/transport.ts";

export type ServiceCounts = ReturnType<typeof createServiceCounts>;

/** Counters starting at zero. */
export function createServiceCounts() {
  const updates = new Map<Admitted, number>();
  const sent = new Map<string, number>();
  const failures = new Map<SendFailure["kind"], number>();
  let quarantined = 0;
  const add = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  return {
    admitted: (result: Admitted) => add(updates, result),
    sent: (purpose: string) => add(sent, purpose),
    failed: (kind: SendFailure["kind"]) => add(failures, kind),
    quarantined: () => void quarantined++,
    /** The totals so far, by label. */
    read: () => ({ updates, sent, failures, quarantined }),
  };
}
