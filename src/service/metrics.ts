/**
 * Prometheus metrics (prom-client), served on an internal port when METRICS_PORT is set (service.ts imports this
 * module only then: prom-client costs every start about a tenth of a second). At each scrape: the service's counts
 * (counts.ts), the queues' depths and ages, whether Telegram answers, and the process's own figures. Counts and
 * times only, never a chat.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { Awaitable } from "../base/awaitable.ts";
import type { Core } from "./core.ts";
import type { ServiceCounts } from "./counts.ts";
import type { TelegramSide } from "./telegram-side.ts";

/**
 * A registry reading `counts`, the queues of `core` and, at scrape time, `side` (which exists once the service has
 * started). `processMetrics` (default false) adds memory, event-loop delay and the like; once per process.
 */
export function createMetricsRegistry(
  counts: ServiceCounts,
  core: Pick<Core, "inbox" | "outbox" | "now">,
  side: () => TelegramSide | undefined,
  { processMetrics = false } = {},
): Registry {
  const registry = new Registry();
  const totals = () => counts.read();
  counter(
    registry,
    "spean_updates_total",
    "Updates from Telegram, by what admission did (accepted, duplicate, " + "dropped from a flooding chat, full)",
    "result",
    () => totals().updates,
  );
  counter(
    registry,
    "spean_messages_sent_total",
    "Messages Telegram accepted, by purpose",
    "purpose",
    () => totals().sent,
  );
  counter(
    registry,
    "spean_send_failures_total",
    "Failed sends, by kind (rate_limited, unreachable, rejected, " + "transient)",
    "kind",
    () => totals().failures,
  );
  counter(
    registry,
    "spean_updates_quarantined_total",
    "Updates set aside after failing",
    undefined,
    () => new Map([["", totals().quarantined]]),
  );
  const ageSeconds = (since: number | undefined) => (since === undefined ? 0 : Math.max(0, core.now() - since) / 1000);
  gauge(
    registry,
    "spean_inbox_pending",
    "Updates waiting to be handled",
    async () => (await core.inbox.backlog()).pending,
  );
  gauge(registry, "spean_inbox_oldest_pending_age_seconds", "Age of the oldest waiting update", async () =>
    ageSeconds((await core.inbox.backlog()).oldestReceivedAt),
  );
  gauge(
    registry,
    "spean_outbox_pending",
    "Messages waiting to be sent",
    async () => (await core.outbox.counts()).pending ?? 0,
  );
  gauge(registry, "spean_outbox_oldest_due_age_seconds", "How long the next due message has been due", async () =>
    ageSeconds(await core.outbox.nextDueAt()),
  );
  gauge(registry, "spean_telegram_reachable", "1 when Telegram answered the latest call", () =>
    side()?.watch.status().reachable === false ? 0 : 1,
  );
  if (processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/** A counter whose value per label is read from `read` at each scrape (no label when `label` is undefined). */
function counter(
  registry: Registry,
  name: string,
  help: string,
  label: string | undefined,
  read: () => Map<string, number>,
): void {
  new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, total] of read()) {
        if (label) this.inc({ [label]: value }, total);
        else this.inc(total);
      }
    },
  });
}

/** A gauge read at each scrape; `read` may ask the database (prom-client awaits an asynchronous collect). */
function gauge(registry: Registry, name: string, help: string, read: () => Awaitable<number>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}
