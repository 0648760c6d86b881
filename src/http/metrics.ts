/**
 * The metrics server: GET /metrics in Prometheus's text format, on its own port (METRICS_PORT, on METRICS_HOST,
 * 127.0.0.1 by default) so that it is never reachable through the webhook's reverse proxy.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

/** Builds the metrics app (not listening). */
export function buildMetricsApp(registry: Registry): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get("/metrics", async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return app;
}
