/**
 * `npm run content:check`: loads flows, locales and data files and prints every problem and warning.
 * Exit code 0 when there are no problems (warnings do not fail), 1 otherwise.
 */
import { SpeanError } from "../base/errors.ts";
import { loadContent } from "../content/load.ts";
import { checkServiceContent } from "../service/core.ts";

try {
  const content = loadContent(() => ({ retention_days: 90 }));
  const report = checkServiceContent(content);
  for (const warning of report.warnings) console.log(`warning: ${warning}`);
  for (const problem of report.problems) console.log(`problem: ${problem}`);
  console.log(
    report.problems.length === 0
      ? "content check passed"
      : `content check failed: ${report.problems.length} problem(s)`,
  );
  process.exitCode = report.problems.length === 0 ? 0 : 1;
} catch (err) {
  console.log(err instanceof SpeanError ? err.message : String(err));
  process.exitCode = 1;
}
