/**
 * A round-robin HTTP reverse proxy on 127.0.0.1, standing in for the load balancer in front of several instances:
 * the fake Bot API delivers webhooks to one URL, and the proxy passes each request to the next instance in turn. A
 * backend that refuses the connection (not started yet, or killed) is skipped for the next one; any other failure
 * (the backend died while it held the request) is answered 502, and the fake Bot API delivers the update again.
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The backends' ports, in turn order; may be set after the proxy started (instances need the proxy's URL). */
  backends: number[];
  /** Requests each backend answered, by port (any status). */
  readonly answered: Map<number, number>;
  /** Connections each backend refused, by port. */
  readonly refused: Map<number, number>;
  /** Requests answered 502 because no backend took them, or one failed while it held them. */
  failed: number;
  close(): Promise<void>;
}

/** Starts the proxy; `backends` may be empty at first. */
export async function startRoundRobinProxy(backends: number[] = []): Promise<RoundRobinProxy> {
  let next = 0;
  const proxy: Omit<RoundRobinProxy, "url" | "close"> = {
    backends,
    answered: new Map(),
    refused: new Map(),
    failed: 0,
  };
  const bump = (counts: Map<number, number>, port: number) => counts.set(port, (counts.get(port) ?? 0) + 1);

  /** Passes the request to `port`: its status and body, or "refused", or the error. */
  function forward(
    port: number,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | "refused"> {
    return new Promise((resolve, reject) => {
      // A new connection each time (no keep-alive): a killed backend's pooled socket would fail late and vaguely.
      const outgoing = httpRequest(
        { host: "127.0.0.1", port, method, path, headers, agent: false, timeout: 15_000 },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const passed: Record<string, string> = {};
            const type = response.headers["content-type"];
            if (type) passed["content-type"] = type;
            resolve({ status: response.statusCode ?? 502, headers: passed, body: Buffer.concat(chunks) });
          });
          response.on("error", reject);
        },
      );
      outgoing.on("timeout", () => outgoing.destroy(new Error("backend timed out")));
      outgoing.on("error", (err: NodeJS.ErrnoException) =>
        err.code === "ECONNREFUSED" ? resolve("refused") : reject(err),
      );
      outgoing.end(body);
    });
  }

  const server = createServer((incoming, reply) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers))
          if (typeof value === "string" && name !== "host" && name !== "connection") headers[name] = value;
        const body = Buffer.concat(chunks);
        const ports = proxy.backends;
        try {
          // Each backend at most once, starting with the next in turn.
          for (let tried = 0; tried < ports.length; tried++) {
            const port = ports[next++ % ports.length] as number;
            const result = await forward(port, incoming.method ?? "GET", incoming.url ?? "/", headers, body);
            if (result === "refused") {
              bump(proxy.refused, port);
              continue;
            }
            bump(proxy.answered, port);
            reply.writeHead(result.status, result.headers).end(result.body);
            return;
          }
        } catch {
          // The backend failed while it held the request: 502 below, and the sender tries again.
        }
        proxy.failed++;
        reply.writeHead(502).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
