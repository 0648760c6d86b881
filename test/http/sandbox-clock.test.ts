/** The sandbox's movable clock (src/service/sandbox.ts, POST /sandbox/api/clock): forward only, sandbox only. */
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { sandboxRoutes } from "../../src/sandbox/routes.ts";
import { createSandboxClock, createSandboxTelegram } from "../../src/service/sandbox.ts";

describe("sandbox clock", () => {
  it("moves forward by whole minutes only, and the route exists only when a clock is given", async () => {
    const clock = createSandboxClock();
    const app = Fastify();
    await app.register(sandboxRoutes, { fake: createSandboxTelegram(clock.now), clock });
    const before = clock.now();
    const moved = await app.inject({ method: "POST", url: "/sandbox/api/clock", payload: { minutes: 61 } });
    expect(moved.json()).toEqual({ ok: true, offsetMinutes: 61 });
    expect(clock.now() - before).toBeGreaterThanOrEqual(61 * 60_000);
    for (const minutes of [0, -5, 1.5, "10", 7 * 24 * 60 + 1]) {
      const refused = await app.inject({ method: "POST", url: "/sandbox/api/clock", payload: { minutes } });
      expect(refused.statusCode).toBe(400);
    }
    await app.close();

    const withoutClock = Fastify();
    await withoutClock.register(sandboxRoutes, { fake: createSandboxTelegram() });
    const absent = await withoutClock.inject({ method: "POST", url: "/sandbox/api/clock", payload: { minutes: 5 } });
    expect(absent.statusCode).toBe(404);
    await withoutClock.close();
  });
});
