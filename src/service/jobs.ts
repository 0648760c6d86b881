/**
 * The scheduled jobs: the features' own (escalation, digest, reminder sweep, counsellors' lists) and retention,
 * which asks every feature to forget what is older than the retention period. Each job runs in one database
 * transaction through the group commit; each looks at the database when it runs, so a restart loses nothing.
 */
import { DAY_MS } from "../base/time.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { backupDatabase } from "../db/backup.ts";
import type { Job } from "../scheduling/jobs.ts";
import type { Core } from "./core.ts";
import { keyRotationOf } from "./database.ts";

/** How long a handled update's row is kept (its payload is gone already; the row keeps ordering honest). */
const DONE_UPDATES_KEPT_MS = 7 * DAY_MS;

/** Every job of the service, by name; with `cluster` (several instances on PostgreSQL), its own jobs too. */
export function scheduledJobs(core: Core, cluster?: Cluster): Job[] {
  const backup = backupJob(core);
  return [...transactionalJobs(core), ...(backup ? [backup] : []), ...(cluster ? clusterJobs(core, cluster) : [])];
}

/**
 * Several instances: each brings what it keeps in memory up to date with what another instance changed (the
 * wordings staff approved, for the search index; the recordings that play on each page), every minute; and once
 * across instances, every ten minutes, old tick claims and chats' paces are forgotten.
 */
function clusterJobs(core: Core, cluster: Cluster): Job[] {
  return [
    {
      name: "cluster-sync",
      schedule: "* * * * *",
      everyInstance: true,
      run: async () => {
        core.recordings.forgetCached();
        const rebuilt = core.searchIndex.refreshIfChanged(await core.wordings.list(["approved"]));
        return { searchIndexRebuilt: rebuilt };
      },
    },
    { name: "cluster-prune", schedule: "*/10 * * * *", run: () => cluster.prune() },
  ];
}

/**
 * While ENCRYPTION_KEY_PREVIOUS is set: values still under it are re-encrypted, a batch a minute, each batch in one
 * transaction (transactionalJobs).
 */
function keyRotationJob(core: Core): Job | undefined {
  if (!core.config.encryptionKeyPrevious) return undefined;
  const rotation = keyRotationOf(core.database, core.cipher);
  let complete = false;
  let told = false;
  return {
    name: "key-rotation",
    schedule: "* * * * *",
    run: async () => {
      const pass = await rotation.batch();
      complete = pass.complete;
      return pass;
    },
    // Told once the batch that found nothing left has committed, not while its transaction could still fail.
    afterCommit: () => {
      if (!complete || told) return;
      told = true;
      core.logger.warn("key rotation complete: nothing is left under ENCRYPTION_KEY_PREVIOUS; remove it and restart");
    },
  };
}

/**
 * The nightly encrypted backup of a SQLite database, outside any transaction (SQLite's online backup runs beside the
 * writers). A PostgreSQL database is backed up with pg_dump, outside the service (README).
 */
function backupJob(core: Core): Job | undefined {
  const { backupDir, backupKeep, backupTime, encryptionKey } = core.config;
  const database = core.database;
  if (backupDir === undefined || database.kind !== "sqlite") return undefined;
  return {
    name: "backup",
    schedule: `${backupTime.minute} ${backupTime.hour} * * *`,
    run: async () => {
      const result = await backupDatabase(database.db.$client, {
        dir: backupDir,
        key: encryptionKey,
        keep: backupKeep,
        now: core.now,
      });
      return { bytes: result.bytes, removed: result.removed.length };
    },
  };
}

function transactionalJobs(core: Core): Job[] {
  const inTransaction = (job: Job): Job => ({
    ...job,
    run: async () => {
      const result = await core.commits.run(() => job.run());
      job.afterCommit?.();
      return result;
    },
  });
  const rotation = keyRotationJob(core);
  return [retention(core), ...(rotation ? [rotation] : []), ...core.features.flatMap((f) => f.jobs ?? [])].map(
    inTransaction,
  );
}

/** Retention, nightly: interactions, each feature's records, handled updates and set-aside payloads. */
function retention(core: Core): Job {
  const days = core.config.retentionDays;
  return {
    name: "retention",
    schedule: "15 3 * * *",
    run: async () => {
      const erased: Record<string, number> = { ...(await core.interactions.purge(days)) };
      for (const feature of core.features) Object.assign(erased, await feature.purge?.(days));
      return {
        ...erased,
        inboxPruned: await core.inbox.pruneDone(DONE_UPDATES_KEPT_MS),
        quarantinedErased: await core.inbox.eraseQuarantinedPayloads(days * DAY_MS),
      };
    },
  };
}
