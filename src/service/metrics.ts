/**
 * Prometheus metrics (prom-client), served on an internal port when METRICS_PORT is set: updates in by what
 * admission did, messages out, send failures by kind, quarantines, and at each scrape the queues' depths and ages,
 * whether Telegram answers, and the process's own figures. Counts and times only, never a chat.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { Admitted } from "../inbox/admission.ts";
import type { SendFailure } from "../outbox/transport.ts";
import type { Core } from "./core.ts";
import type { TelegramSide } from "./telegram-side.ts";

export type Metrics = ReturnType<typeof createMetrics>;

/** The metrics of one service; `side` is read at scrape time (it exists once the service has started). */
export function createMetrics(core: Pick<Core, "inbox" | "outbox" | "now">, side: () => TelegramSide | undefined) {
  const registry = new Registry();
  const updates = new Counter({
    name: "spean_updates_total",
    help: "Updates from Telegram, by what admission did (accepted, duplicate, dropped from a flooding chat, full)",
    labelNames: ["result"],
    registers: [registry],
  });
  const sent = new Counter({
    name: "spean_messages_sent_total",
    help: "Messages Telegram accepted, by purpose",
    labelNames: ["purpose"],
    registers: [registry],
  });
  const failures = new Counter({
    name: "spean_send_failures_total",
    help: "Failed sends, by kind (rate_limited, unreachable, rejected, transient)",
    labelNames: ["kind"],
    registers: [registry],
  });
  const quarantined = new Counter({
    name: "spean_updates_quarantined_total",
    help: "Updates set aside after failing",
    registers: [registry],
  });
  const ageSeconds = (since: number | undefined) => (since === undefined ? 0 : Math.max(0, core.now() - since) / 1000);
  gauge(registry, "spean_inbox_pending", "Updates waiting to be handled", () => core.inbox.backlog().pending);
  gauge(registry, "spean_inbox_oldest_pending_age_seconds", "Age of the oldest waiting update", () =>
    ageSeconds(core.inbox.backlog().oldestReceivedAt),
  );
  gauge(registry, "spean_outbox_pending", "Messages waiting to be sent", () => core.outbox.counts().pending ?? 0);
  gauge(registry, "spean_outbox_oldest_due_age_seconds", "How long the next due message has been due", () =>
    ageSeconds(core.outbox.nextDueAt()),
  );
  gauge(registry, "spean_telegram_reachable", "1 when Telegram answered the latest call", () =>
    side()?.watch.status().reachable === false ? 0 : 1,
  );
  return {
    registry,
    /** Adds the process's own figures (memory, event-loop delay, ...); once per process. */
    withProcessMetrics() {
      collectDefaultMetrics({ register: registry });
    },
    admitted: (result: Admitted) => updates.inc({ result }),
    sent: (purpose: string) => sent.inc({ purpose }),
    failed: (failure: SendFailure["kind"]) => failures.inc({ kind: failure }),
    quarantined: () => quarantined.inc(),
  };
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
