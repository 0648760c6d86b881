/**
 * A loop step (the inbox worker's look at the inbox, the sender's look at the queue) that must not overlap itself
 * now that the stores it reads answer asynchronously: a call while a run is under way asks for one more run right
 * after it, however many calls came in between.
 */

/**
 * Returns a function that starts `run`, or, when a run is under way, has it run once more when that one ends.
 * A rejection of `run` goes to `onError` (it never escapes).
 */
export function oneAtATime(run: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void run()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          start();
        }
      });
  };
  return start;
}
