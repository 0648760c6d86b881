/**
 * What recordings there are and what staff may do with them, shared by the bot's commands and buttons
 * (feature.ts) and the console's Recordings page: which recording plays for a page (a staff member's, else the
 * shipped file), the list of every page and its recording, and attaching or removing one. Every change checks the
 * role and is audited.
 */
import { relative } from "node:path";
import { PROJECT_ROOT } from "../base/project-root.ts";
import { calendarDateIn, toIsoDate } from "../base/calendar-date.ts";
import { may } from "../features/roles.ts";
import type { Locale } from "../base/locale.ts";
import { localDigits } from "../khmer/digits.ts";
import type { VoiceUpload } from "../outbox/message.ts";
import type { StaffStore } from "../staff/store.ts";
import type { ShippedRecording } from "./shipped.ts";
import type { RecordingStore, VoiceDraft } from "./store.ts";
import { allTargets, readTarget, type RecordingTarget } from "./targets.ts";

/** A voice note shorter than this is taken for a slip of the finger, not an answer read aloud. */
export const MIN_RECORDING_SECONDS = 2;

/** A recording that can be sent now: by file id, by upload, or by file id with the upload as fallback. */
export interface Playable {
  fileId?: string;
  upload?: VoiceUpload;
  speaker: string;
  /** YYYY-MM-DD */
  date: string;
  /** Seconds (unknown for a shipped file). */
  duration?: number;
  source: "staff" | "shipped";
}

export type AttachResult =
  { ok: true; replaced: boolean; speaker: string } | { ok: false; why: "not_allowed" | "too_short" };

export interface PageRecording {
  target: RecordingTarget;
  recording: Playable | undefined;
}

export interface RecordingsDeskOptions {
  store: RecordingStore;
  shipped: readonly ShippedRecording[];
  staff: StaffStore;
  articleIds: () => Iterable<string>;
  timeZone: string;
  now: () => number;
}

export type RecordingsDesk = ReturnType<typeof createRecordingsDesk>;

export function createRecordingsDesk(options: RecordingsDeskOptions) {
  const { store, staff } = options;
  const shippedBy = new Map(options.shipped.map((s) => [s.target, s]));
  const articleExists = (id: string) => [...options.articleIds()].includes(id);
  const mayManage = async (userId: number) => may((await staff.get(userId))?.role, "manage_recordings");
  // What plays on each page, asked on every render of an article, the main menu and the 🆘 screen. Kept in memory
  // and forgotten on every change made here. On SQLite one process owns the database (src/db/lock.ts), so nothing
  // else changes it behind this cache; with several instances on PostgreSQL each forgets it every minute
  // (forgetCached, the cluster-sync job), so a recording changed through another instance plays within a minute.
  const cache = new Map<RecordingTarget, Playable | undefined>();

  async function playable(target: RecordingTarget): Promise<Playable | undefined> {
    if (cache.has(target)) return cache.get(target);
    const found = await lookUp(target);
    cache.set(target, found);
    return found;
  }

  async function lookUp(target: RecordingTarget): Promise<Playable | undefined> {
    const own = await store.get(target);
    const shipped = shippedBy.get(target);
    const upload = shipped && { file: relative(PROJECT_ROOT, shipped.path), sha256: shipped.sha256 };
    if (own)
      return {
        fileId: own.fileId,
        ...(upload ? { upload } : {}),
        speaker: own.speaker,
        date: own.recordedOn,
        duration: own.duration,
        source: "staff",
      };
    if (!shipped || !upload) return undefined;
    const cached = await store.uploaded(shipped.sha256);
    return {
      ...(cached ? { fileId: cached } : {}),
      upload,
      speaker: shipped.speaker,
      date: shipped.recorded,
      source: "shipped",
    };
  }

  return {
    playable,
    /** Forgets what plays where; the next render reads the database (another instance may have changed it). */
    forgetCached: () => cache.clear(),
    /** Reads a page as staff type it ("passport", "start", "article:passport"); undefined if there is none. */
    target: (typed: string) => readTarget(typed, articleExists),
    mayManage,

    /** Every page (articles in the knowledge base's order, then the key screens) with what plays there. */
    async coverage(): Promise<PageRecording[]> {
      const pages: PageRecording[] = [];
      for (const target of allTargets(options.articleIds())) pages.push({ target, recording: await playable(target) });
      return pages;
    },

    /** Recordings attached under another bot token (they cannot play with this one). */
    otherBots: () => store.otherBots(),

    /**
     * Attaches a voice note to a page in place of any there was: refused when `userId` may not, or when the note is
     * shorter than {@link MIN_RECORDING_SECONDS}. `speaker` defaults to the member's initials.
     */
    async attach(
      userId: number,
      voice: { target: RecordingTarget; fileId: string; duration: number; speaker?: string },
    ): Promise<AttachResult> {
      const member = await staff.get(userId);
      if (!(await mayManage(userId)) || !member) {
        await staff.audit(userId, "manage_recordings", undefined, false);
        return { ok: false, why: "not_allowed" };
      }
      if (voice.duration < MIN_RECORDING_SECONDS) return { ok: false, why: "too_short" };
      const speaker = voice.speaker?.trim().slice(0, 8) || initialsOf(member.displayName);
      const { replaced } = await store.attach({
        target: voice.target,
        fileId: voice.fileId,
        duration: voice.duration,
        speaker,
        recordedOn: toIsoDate(calendarDateIn(new Date(options.now()), options.timeZone)),
        addedBy: userId,
      });
      await store.dropDraft(userId, voice.fileId);
      cache.clear();
      await staff.audit(userId, "manage_recordings", undefined, true);
      return { ok: true, replaced, speaker };
    },

    /** Removes a staff recording from a page (a shipped one stays); undefined when `userId` may not. */
    async remove(userId: number, target: RecordingTarget): Promise<boolean | undefined> {
      if (!(await mayManage(userId))) {
        await staff.audit(userId, "manage_recordings", undefined, false);
        return undefined;
      }
      const removed = await store.remove(target);
      cache.clear();
      await staff.audit(userId, "manage_recordings", undefined, true);
      return removed;
    },

    /** A content member's voice note, kept so the console can offer it (one too short to attach is not). */
    async keepDraft(userId: number, fileId: string, duration: number): Promise<void> {
      if (duration >= MIN_RECORDING_SECONDS) await store.keepDraft(userId, fileId, duration);
    },
    drafts: (userId: number): Promise<VoiceDraft[]> => store.drafts(userId),
    /** A shipped file was uploaded to this bot: later presses send it by `fileId`. */
    async uploaded(sha256: string, fileId: string): Promise<void> {
      await store.rememberUpload(sha256, fileId);
      cache.clear();
    },

    /** Telegram refused `fileId` (the file is gone): forget it; returns how many staff recordings went with it. */
    async refused(fileId: string): Promise<number> {
      await store.forgetUpload(fileId);
      const recordings = await store.forgetFileId(fileId);
      cache.clear();
      return recordings;
    },

    /** Unattached voice notes older than the retention period are forgotten. */
    purgeDrafts: (days: number) => store.purgeDrafts(days),

    /** Attaches one of the member's own drafts to a page; undefined when they have no such draft. */
    async attachDraft(
      userId: number,
      draftId: number,
      target: RecordingTarget,
      speaker?: string,
    ): Promise<AttachResult | undefined> {
      const draft = (await store.drafts(userId)).find((d) => d.id === draftId);
      if (!draft) return undefined;
      return this.attach(userId, {
        target,
        fileId: draft.fileId,
        duration: draft.duration,
        ...(speaker ? { speaker } : {}),
      });
    },
  };
}

/** A length in seconds as minutes and seconds: 65 → "1:05" (Khmer digits for Khmer readers). */
export function shownLength(seconds: number, locale: Locale): string {
  return localDigits(locale, `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`);
}

/** A day as residents write it: 2026-11-30 → 30-11-2026 (Khmer digits for Khmer readers). */
export function shownDay(iso: string, locale: Locale): string {
  const [y, m, d] = iso.split("-");
  return localDigits(locale, `${d}-${m}-${y}`);
}

/** "Sok Bopha" → "S.B."; one word → its first letter; Khmer names give their first consonants. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean).slice(0, 3);
  return words.length === 0 ? "?" : words.map((w) => `${[...w][0]?.toUpperCase()}.`).join("");
}
