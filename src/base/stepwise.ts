/**
 * A value computed by a long synchronous job written as a generator of steps (`yield` between steps), so that it
 * can be computed either at once, when a caller needs it now, or in slices that leave the event loop free for other
 * work in between. A helpline's start-up builds its search index this way: a resident who writes in that second is
 * answered instead of waiting for the build.
 */
import { setImmediate } from "node:timers";

/** A job's steps: each `yield` is a point where it may be paused; the return value is the result. */
export type Steps<T> = Generator<void, T, void>;

export interface StepwiseValue<T> {
  /** The value; runs whatever is left of the job at once (also when a run in slices is under way). */
  get(): T;
  /**
   * The value, computed in slices of about `sliceMs` milliseconds (default 8) with one event-loop turn between
   * them. Calls made while a run is under way share it.
   */
  inSlices(sliceMs?: number): Promise<T>;
  /** Whether the value has been computed. */
  readonly ready: boolean;
}

/**
 * A value computed once by `start()`'s steps, at once or in slices (see StepwiseValue). If a step throws, the job is
 * dropped: the caller gets the error and the next call starts again.
 */
export function stepwise<T>(start: () => Steps<T>): StepwiseValue<T> {
  let steps: Steps<T> | undefined;
  let result: { value: T } | undefined;
  let running: Promise<T> | undefined;

  function step(): void {
    steps ??= start();
    try {
      const next = steps.next();
      if (next.done) {
        result = { value: next.value };
        steps = undefined;
      }
    } catch (err) {
      steps = undefined;
      throw err;
    }
  }

  async function runInSlices(sliceMs: number): Promise<T> {
    try {
      while (!result) {
        const until = performance.now() + sliceMs;
        do step();
        while (!result && performance.now() < until);
        // setImmediate from node:timers: the turn lets pending I/O (a webhook call, a Telegram reply) run first.
        if (!result) await new Promise((resolve) => setImmediate(resolve));
      }
      return result.value;
    } finally {
      running = undefined;
    }
  }

  return {
    get() {
      while (!result) step();
      return result.value;
    },
    inSlices(sliceMs = 8) {
      if (result) return Promise.resolve(result.value);
      running ??= runInSlices(sliceMs);
      return running;
    },
    get ready() {
      return result !== undefined;
    },
  };
}
