/**
 * Staff recordings (src/recordings/store.ts) over PostgreSQL, method for method the same as the SQLite store: one
 * recording per screen and bot, a content member's unattached voice notes, and the file ids of shipped audio once
 * uploaded. Every query runs on `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is part of
 * the transaction.
 *
 * Attaching and remembering an upload replace what was there with `on conflict ... do update`, as over SQLite; that
 * an attach replaced a recording is read just before it, as over SQLite (two instances attaching to the same screen
 * at once may both say it was new; the last one's recording stays). Keeping a voice note and trimming the
 * member's oldest beyond the last few is an insert and one delete, the cut-off read in a subquery. Drafts come
 * newest first, by id; counts are the rows a statement changed, or a count read as a number.
 */
import { and, desc, eq, lt, ne, sql } from "drizzle-orm";
import { withDriverErrors } from "../db/pg-errors.ts";
import { shippedVoiceUploads, voiceDrafts, voiceRecordings } from "../db/pg-schema.ts";
import { DAY_MS } from "../base/time.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import { MAX_DRAFTS_PER_MEMBER, type RecordingStore, type StaffRecording } from "./store.ts";
import type { RecordingTarget } from "./targets.ts";

/** The columns that make a {@link StaffRecording}. */
const columns = {
  id: voiceRecordings.id,
  target: voiceRecordings.target,
  fileId: voiceRecordings.fileId,
  duration: voiceRecordings.duration,
  speaker: voiceRecordings.speaker,
  recordedOn: voiceRecordings.recordedOn,
  addedBy: voiceRecordings.addedBy,
};

/** The columns that make a VoiceDraft. */
const draftColumns = {
  id: voiceDrafts.id,
  staffId: voiceDrafts.staffId,
  fileId: voiceDrafts.fileId,
  duration: voiceDrafts.duration,
  createdAt: voiceDrafts.createdAt,
};

/**
 * Creates the recording store for one bot over PostgreSQL: `botKey` is the bot's id (the number before the colon in
 * its token). `now` defaults to Date.now.
 */
export function createPgRecordingStore(db: PgDb, botKey: string, now: () => number = Date.now): RecordingStore {
  const q = () => executor(db);
  const ofThisBot = eq(voiceRecordings.botKey, botKey);

  /** This bot's recording of `target`. */
  async function recordingOf(target: RecordingTarget): Promise<StaffRecording | undefined> {
    const [row] = await q()
      .select(columns)
      .from(voiceRecordings)
      .where(and(ofThisBot, eq(voiceRecordings.target, target)));
    return row as StaffRecording | undefined;
  }

  /** A member's drafts for this bot. */
  const ofMember = (staffId: number) => and(eq(voiceDrafts.botKey, botKey), eq(voiceDrafts.staffId, staffId));

  return withDriverErrors<RecordingStore>({
    botKey,

    async attach(recording) {
      const replaced = (await recordingOf(recording.target)) !== undefined;
      await q()
        .insert(voiceRecordings)
        .values({ ...recording, botKey, createdAt: now() })
        .onConflictDoUpdate({
          target: [voiceRecordings.target, voiceRecordings.botKey],
          set: { ...recording, createdAt: now() },
        });
      return { replaced };
    },

    async get(target) {
      return recordingOf(target);
    },

    async otherBots() {
      const [row] = await q()
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(voiceRecordings)
        .where(ne(voiceRecordings.botKey, botKey));
      return row?.n ?? 0;
    },

    async remove(target) {
      const removed = await q()
        .delete(voiceRecordings)
        .where(and(ofThisBot, eq(voiceRecordings.target, target)));
      return (removed.rowCount ?? 0) > 0;
    },

    async forgetFileId(fileId) {
      const forgotten = await q()
        .delete(voiceRecordings)
        .where(and(ofThisBot, eq(voiceRecordings.fileId, fileId)));
      return forgotten.rowCount ?? 0;
    },

    async keepDraft(staffId, fileId, duration) {
      await q().insert(voiceDrafts).values({ botKey, staffId, fileId, duration, createdAt: now() });
      // The member's tenth latest draft for this bot, the oldest one kept: null while they have fewer, and then
      // `id < null` deletes nothing.
      const oldestKept = q()
        .select({ id: voiceDrafts.id })
        .from(voiceDrafts)
        .where(ofMember(staffId))
        .orderBy(desc(voiceDrafts.id))
        .offset(MAX_DRAFTS_PER_MEMBER - 1)
        .limit(1);
      // As over SQLite, the older drafts go whichever bot they were sent to.
      await q()
        .delete(voiceDrafts)
        .where(and(eq(voiceDrafts.staffId, staffId), lt(voiceDrafts.id, oldestKept)));
    },

    async drafts(staffId) {
      return q().select(draftColumns).from(voiceDrafts).where(ofMember(staffId)).orderBy(desc(voiceDrafts.id));
    },

    async dropDraft(staffId, fileId) {
      await q()
        .delete(voiceDrafts)
        .where(and(eq(voiceDrafts.staffId, staffId), eq(voiceDrafts.fileId, fileId)));
    },

    async purgeDrafts(days) {
      const purged = await q()
        .delete(voiceDrafts)
        .where(lt(voiceDrafts.createdAt, now() - days * DAY_MS));
      return purged.rowCount ?? 0;
    },

    async uploaded(sha256) {
      const [row] = await q()
        .select({ fileId: shippedVoiceUploads.fileId })
        .from(shippedVoiceUploads)
        .where(and(eq(shippedVoiceUploads.botKey, botKey), eq(shippedVoiceUploads.sha256, sha256)));
      return row?.fileId;
    },

    async rememberUpload(sha256, fileId) {
      await q()
        .insert(shippedVoiceUploads)
        .values({ botKey, sha256, fileId, uploadedAt: now() })
        .onConflictDoUpdate({
          target: [shippedVoiceUploads.botKey, shippedVoiceUploads.sha256],
          set: { fileId, uploadedAt: now() },
        });
    },

    async forgetUpload(fileId) {
      await q()
        .delete(shippedVoiceUploads)
        .where(and(eq(shippedVoiceUploads.botKey, botKey), eq(shippedVoiceUploads.fileId, fileId)));
    },
  });
}
