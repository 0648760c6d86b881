/**
 * Runs the real service (`npm start`'s entry) as a child process, for end-to-end and browser tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../src/content/load.ts";

export { PROD_ENV, PROD_NODE_FLAGS } from "../../src/boot/prod-flags.ts";

export interface RunningService {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output matches `pattern`; rejects after `timeoutMs` (default 15 s). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the service with `env` (default `tsx src/main.ts`; `nodeArgs` runs something else, e.g. a build),
 * resolving once the output contains `ready` (or the process exits).
 */
export async function startService(
  env: Record<string, string>,
  ready: RegExp,
  nodeArgs = ["--import", "tsx", "src/main.ts"],
): Promise<RunningService> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const waiter of waiters) waiter();
      if (ready.test(output)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then(() => (ready.test(output) ? resolve() : reject(new Error(`service exited early:\n${output}`))));
    setTimeout(() => {
      if (ready.test(output)) return;
      child.kill("SIGKILL"); // a service that never got ready must not outlive the test run
      reject(new Error(`service not ready after 20 s:\n${output}`));
    }, 20_000);
  });
  return {
    child,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
