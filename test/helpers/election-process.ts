/**
 * A process that only takes part in an election (src/cluster/election.ts) and prints "leads" or "steps down" on each
 * change: the end-to-end test kills one with SIGKILL, as a machine dies.
 * Usage: node --import tsx test/helpers/election-process.ts <postgres url> <name>
 */
import { startElection } from "../../src/cluster/election.ts";

const [url, name] = process.argv.slice(2);
if (!url || !name) throw new Error("usage: election-process.ts <postgres url> <name>");
startElection({
  url,
  name,
  checkEveryMs: 250,
  timeoutMs: 2_000,
  onChange: (leading) => process.stdout.write(`${leading ? "leads" : "steps down"}\n`),
});
process.stdout.write("started\n");
