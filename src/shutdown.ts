/**
 * Shutdown with a deadline: a stop that has not finished within its grace time (a Telegram that answers nothing, a
 * stuck request) is given up on, so that SIGTERM always ends the process. Nothing is lost: an update not yet handled
 * is still in the inbox, a reply not yet sent is still in the outbox, and the next start picks both up.
 */

/** Runs `stop`, resolving "stopped" when it finishes, or "late" after `graceMs` (then `stop` is left behind). */
export function stopWithin(stop: () => Promise<void>, graceMs: number): Promise<"stopped" | "late"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), graceMs);
  });
  const stopped = stop().then(
    () => "stopped" as const,
    () => "stopped" as const,
  );
  return Promise.race([stopped, late]).finally(() => clearTimeout(timer));
}
