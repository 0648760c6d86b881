/**
 * What residents asked and how they rated the answers. Question text is encrypted and erased after the retention
 * period; staff read it only through the staff chat's /questions report.
 */
import { and, desc, eq, gte, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/open.ts";
import { articleFeedback, questions } from "../db/schema.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { DAY_MS } from "../base/time.ts";
import { asyncMethods } from "../db/async-store.ts";

export type Vote = "up" | "down";

export interface QuestionRecord {
  chatId: number;
  text: string;
  locale: string;
  /** Undefined when the search was not confident. */
  answeredWith: string | undefined;
  score: number;
}

export interface ReportedQuestion {
  id: number;
  text: string | null;
  answeredWith: string | null;
  vote: Vote | null;
  createdAt: number;
}

export type KnowledgeStore = ReturnType<typeof createKnowledgeStore>;

/** A questions row as the /questions report shows it, its text decrypted (null once erased). */
export function reportedQuestionOf(
  cipher: FieldCipher,
  r: { id: number; textEnc: string | null; answeredWith: string | null; vote: Vote | null; createdAt: number },
): ReportedQuestion {
  return {
    id: r.id,
    text: r.textEnc ? cipher.decrypt(r.textEnc) : null,
    answeredWith: r.answeredWith,
    vote: r.vote,
    createdAt: r.createdAt,
  };
}

/** Creates the store. `now` defaults to Date.now. */
export function createKnowledgeStore(db: Db, cipher: FieldCipher, now: () => number = Date.now) {
  return asyncMethods({
    /** Records a typed question; returns its id. */
    recordQuestion(q: QuestionRecord): number {
      const [row] = db
        .insert(questions)
        .values({
          chatId: q.chatId,
          textEnc: cipher.encrypt(q.text),
          locale: q.locale,
          answeredWith: q.answeredWith ?? null,
          score: Math.round(q.score * 1000),
          createdAt: now(),
        })
        .returning({ id: questions.id })
        .all();
      return (row as { id: number }).id;
    },

    /** Records a 👍 / 👎; when the article answered one of this chat's questions, the question gets the vote too. */
    recordFeedback(chatId: number, articleId: string, vote: Vote, questionId: number | undefined): void {
      db.insert(articleFeedback)
        .values({ chatId, articleId, vote, questionId: questionId ?? null, createdAt: now() })
        .run();
      if (questionId !== undefined) {
        db.update(questions)
          .set({ vote })
          .where(and(eq(questions.id, questionId), eq(questions.chatId, chatId)))
          .run();
      }
    },

    /** Unanswered and 👎-rated questions of the last `days` days, newest first. */
    needingContent(days: number, limit: number): ReportedQuestion[] {
      return db
        .select()
        .from(questions)
        .where(
          and(
            gte(questions.createdAt, now() - days * DAY_MS),
            or(isNull(questions.answeredWith), eq(questions.vote, "down")),
          ),
        )
        .orderBy(desc(questions.createdAt), desc(questions.id))
        .limit(limit)
        .all()
        .map((r) => reportedQuestionOf(cipher, r));
    },

    /** Counts for the staff report: questions asked, unanswered, and votes, in the last `days` days. */
    summary(days: number): { asked: number; unanswered: number; up: number; down: number } {
      const since = now() - days * DAY_MS;
      const row = db
        .select({
          asked: sql<number>`count(*)`,
          unanswered: sql<number>`coalesce(sum(${questions.answeredWith} is null), 0)`,
        })
        .from(questions)
        .where(gte(questions.createdAt, since))
        .get();
      const votes = db
        .select({ vote: articleFeedback.vote, n: sql<number>`count(*)` })
        .from(articleFeedback)
        .where(gte(articleFeedback.createdAt, since))
        .groupBy(articleFeedback.vote)
        .all();
      const count = (v: Vote) => votes.find((r) => r.vote === v)?.n ?? 0;
      return { asked: row?.asked ?? 0, unanswered: row?.unanswered ?? 0, up: count("up"), down: count("down") };
    },

    /**
     * Whether a resident typed exactly `text` (compared after `normalize`) in a question whose text is still kept:
     * staff teaching the search must write their own words, never copy a resident's message.
     */
    isResidentQuestion(text: string, normalize: (t: string) => string): boolean {
      const wanted = normalize(text);
      return db
        .select({ textEnc: questions.textEnc })
        .from(questions)
        .where(isNotNull(questions.textEnc))
        .all()
        .some((r) => r.textEnc !== null && normalize(cipher.decrypt(r.textEnc)) === wanted);
    },

    /** How many questions the chat asked (for /mydata). */
    countFor(chatId: number): number {
      return (
        db
          .select({ n: sql<number>`count(*)` })
          .from(questions)
          .where(eq(questions.chatId, chatId))
          .get()?.n ?? 0
      );
    },

    /** /forget: the chat's questions lose their text, and its questions and votes move to `anonymousId`. */
    forgetChat(chatId: number, anonymousId: number): void {
      db.update(questions).set({ textEnc: null, chatId: anonymousId }).where(eq(questions.chatId, chatId)).run();
      db.update(articleFeedback).set({ chatId: anonymousId }).where(eq(articleFeedback.chatId, chatId)).run();
    },

    /** Erases question text older than `retentionDays` (the rows stay for counting). */
    purge(retentionDays: number): number {
      return db
        .update(questions)
        .set({ textEnc: null })
        .where(and(isNotNull(questions.textEnc), lt(questions.createdAt, now() - retentionDays * DAY_MS)))
        .run().changes;
    },
  });
}
