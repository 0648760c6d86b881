/**
 * Runs before every test file. Test files share one module graph per worker (vitest `isolate: false`), so a test
 * that fails while fake timers are on must not leave them on for the next file.
 */
import { afterEach, vi } from "vitest";

afterEach(() => {
  vi.useRealTimers();
});
