/**
 * `npm run content:check`: loads flows, locales and data files and prints every problem and warning.
 * Exit code 0 when there are no problems (warnings do not fail), 1 otherwise.
 */
import { SpeanError } from "../base/errors.ts";
import { loadConfig } from "../config.ts";
import { loadContent } from "../content/load.ts";
import { recordingsReport, staffRecordedTargets } from "../recordings/report.ts";
import { botKeyOf } from "../recordings/store.ts";
import { checkServiceContent } from "../service/core.ts";
import { SANDBOX_TOKEN } from "../service/sandbox.ts";

/** What staff recorded in the database the service would open with this environment (none if it cannot tell). */
function recordedByStaff(): Set<string> {
  try {
    const config = loadConfig();
    return staffRecordedTargets(config.databasePath, botKeyOf(config.botToken ?? SANDBOX_TOKEN));
  } catch {
    return new Set();
  }
}

try {
  const content = loadContent(() => ({ retention_days: 90 }));
  const report = await checkServiceContent(content);
  for (const warning of report.warnings) console.log(`warning: ${warning}`);
  for (const problem of report.problems) console.log(`problem: ${problem}`);
  const recorded = recordedByStaff();
  for (const line of recordingsReport(content.knowledge.articles.keys(), content.recordings, recorded))
    console.log(`info: ${line}`);
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
