/**
 * Staff recordings by screen and bot (voice_recordings), and the file ids of shipped audio once uploaded
 * (shipped_voice_uploads). Only staff members' own voice notes are ever stored here; a resident's media never is.
 */
import { and, desc, eq, lt, ne, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { shippedVoiceUploads, voiceDrafts, voiceRecordings } from "../db/schema.ts";
import type { RecordingTarget } from "./targets.ts";
import { asyncMethods } from "../db/async-store.ts";

export interface StaffRecording {
  id: number;
  target: RecordingTarget;
  fileId: string;
  duration: number;
  speaker: string;
  recordedOn: string;
  addedBy: number;
}

/** A content member's voice note, not yet on a page. */
export interface VoiceDraft {
  id: number;
  staffId: number;
  fileId: string;
  duration: number;
  createdAt: number;
}

/** How many unattached voice notes are kept per staff member (the oldest go first). */
export const MAX_DRAFTS_PER_MEMBER = 10;

export type RecordingStore = ReturnType<typeof createRecordingStore>;

/** The store for one bot: `botKey` is the bot's id (the number before the colon in its token). */
export function createRecordingStore(db: Db, botKey: string, now: () => number = Date.now) {
  const columns = {
    id: voiceRecordings.id,
    target: voiceRecordings.target,
    fileId: voiceRecordings.fileId,
    duration: voiceRecordings.duration,
    speaker: voiceRecordings.speaker,
    recordedOn: voiceRecordings.recordedOn,
    addedBy: voiceRecordings.addedBy,
  };
  const ofThisBot = eq(voiceRecordings.botKey, botKey);

  return asyncMethods({
    botKey,

    /** Attaches a recording to `target`, replacing the one there was (returns whether it replaced one). */
    attach(recording: Omit<StaffRecording, "id">): { replaced: boolean } {
      const replaced = this.get(recording.target) !== undefined;
      db.insert(voiceRecordings)
        .values({ ...recording, botKey, createdAt: now() })
        .onConflictDoUpdate({
          target: [voiceRecordings.target, voiceRecordings.botKey],
          set: { ...recording, createdAt: now() },
        })
        .run();
      return { replaced };
    },

    /** This bot's recording of `target`. */
    get(target: RecordingTarget): StaffRecording | undefined {
      return db
        .select(columns)
        .from(voiceRecordings)
        .where(and(ofThisBot, eq(voiceRecordings.target, target)))
        .get() as StaffRecording | undefined;
    },

    /** Recordings attached while another bot token was in use (they cannot play with this one). */
    otherBots(): number {
      const other = db
        .select({ n: sql<number>`count(*)` })
        .from(voiceRecordings)
        .where(ne(voiceRecordings.botKey, botKey))
        .get();
      return other?.n ?? 0;
    },

    remove(target: RecordingTarget): boolean {
      return (
        db
          .delete(voiceRecordings)
          .where(and(ofThisBot, eq(voiceRecordings.target, target)))
          .run().changes > 0
      );
    },

    /** Telegram refused this file id (the file is gone): the recording no longer plays, so its button goes. */
    forgetFileId(fileId: string): number {
      return db
        .delete(voiceRecordings)
        .where(and(ofThisBot, eq(voiceRecordings.fileId, fileId)))
        .run().changes;
    },

    /** Keeps a content member's voice note for attaching in the console; only their latest few are kept. */
    keepDraft(staffId: number, fileId: string, duration: number): void {
      db.insert(voiceDrafts).values({ botKey, staffId, fileId, duration, createdAt: now() }).run();
      const keep = this.drafts(staffId).map((d) => d.id);
      const oldest = keep[MAX_DRAFTS_PER_MEMBER - 1];
      if (oldest !== undefined)
        db.delete(voiceDrafts)
          .where(and(eq(voiceDrafts.staffId, staffId), lt(voiceDrafts.id, oldest)))
          .run();
    },

    /** A member's unattached voice notes for this bot, newest first. */
    drafts(staffId: number): VoiceDraft[] {
      return db
        .select({
          id: voiceDrafts.id,
          staffId: voiceDrafts.staffId,
          fileId: voiceDrafts.fileId,
          duration: voiceDrafts.duration,
          createdAt: voiceDrafts.createdAt,
        })
        .from(voiceDrafts)
        .where(and(eq(voiceDrafts.botKey, botKey), eq(voiceDrafts.staffId, staffId)))
        .orderBy(desc(voiceDrafts.id))
        .all();
    },

    /** Forgets a draft (attached, or attached by /recording under its file id). */
    dropDraft(staffId: number, fileId: string): void {
      db.delete(voiceDrafts)
        .where(and(eq(voiceDrafts.staffId, staffId), eq(voiceDrafts.fileId, fileId)))
        .run();
    },

    /** Drafts older than `days` are forgotten (retention); returns how many. */
    purgeDrafts(days: number): number {
      return db
        .delete(voiceDrafts)
        .where(lt(voiceDrafts.createdAt, now() - days * 86_400_000))
        .run().changes;
    },

    /** The file id of a shipped file (by content hash) uploaded to this bot before. */
    uploaded(sha256: string): string | undefined {
      return db
        .select({ fileId: shippedVoiceUploads.fileId })
        .from(shippedVoiceUploads)
        .where(and(eq(shippedVoiceUploads.botKey, botKey), eq(shippedVoiceUploads.sha256, sha256)))
        .get()?.fileId;
    },

    rememberUpload(sha256: string, fileId: string): void {
      db.insert(shippedVoiceUploads)
        .values({ botKey, sha256, fileId, uploadedAt: now() })
        .onConflictDoUpdate({
          target: [shippedVoiceUploads.botKey, shippedVoiceUploads.sha256],
          set: { fileId, uploadedAt: now() },
        })
        .run();
    },

    /** A cached upload Telegram refused: the next press uploads the file again. */
    forgetUpload(fileId: string): void {
      db.delete(shippedVoiceUploads)
        .where(and(eq(shippedVoiceUploads.botKey, botKey), eq(shippedVoiceUploads.fileId, fileId)))
        .run();
    },
  });
}

/** The bot a token belongs to: the number before its colon ("123456:ABC..." → "123456"). */
export function botKeyOf(token: string): string {
  return token.split(":")[0] ?? token;
}
