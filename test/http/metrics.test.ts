/** Prometheus metrics (src/service/counts.ts, metrics.ts, src/http/metrics.ts): counts and times only, never a chat. */
import { describe, expect, it } from "vitest";
import { buildMetricsApp } from "../../src/http/metrics.ts";
import { createMetricsRegistry } from "../../src/service/metrics.ts";
import { createHarness, RESIDENT } from "../helpers/harness.ts";

describe("GET /metrics", () => {
  it("counts updates, messages sent, failures by kind, and reads the queues at each scrape", async () => {
    const h = await createHarness();
    await h.say("/start");
    h.fake.addFault({ method: "sendMessage", errorCode: 403, times: 5 });
    await h.say("/menu");
    h.side.counts.admitted("accepted");
    h.side.counts.admitted("dropped");
    await h.core.inbox.ingest(h.fake.sendText(RESIDENT, "waiting") as never);
    const app = buildMetricsApp(createMetricsRegistry(h.side.counts, h.core, () => h.side));
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/text\/plain/);
    const text = response.body;
    expect(text).toMatch(/spean_messages_sent_total\{purpose="reply"\} [1-9]/);
    expect(text).toMatch(/spean_send_failures_total\{kind="unreachable"\} 1/);
    expect(text).toMatch(/spean_updates_total\{result="dropped"\} 1/);
    expect(text).toMatch(/spean_inbox_pending 1/);
    expect(text).toMatch(/spean_telegram_reachable 1/);
    expect(text).not.toContain(String(RESIDENT));
    await app.close();
    await h.close();
  });
});
