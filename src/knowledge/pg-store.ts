/**
 * What residents asked and how they rated the answers (src/knowledge/store.ts) over PostgreSQL, method for method the
 * same as the SQLite store: question text encrypted, erased after the retention period. Every query runs on
 * `executor(db)`, so inside a unit of work (src/db/pg-unit-of-work.ts) it is part of the transaction.
 *
 * The two writes of recordFeedback and of forgetChat run in one transaction (a savepoint inside a piece). Counts come
 * back as numbers: PostgreSQL's count and sum are bigints, and `answered_with is null` is a boolean it does not sum.
 */
import { and, desc, eq, gte, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { DAY_MS } from "../base/time.ts";
import { withDriverErrors } from "../db/pg-errors.ts";
import { articleFeedback, questions } from "../db/pg-schema.ts";
import { executor } from "../db/pg-unit-of-work.ts";
import type { PgDb } from "../db/postgres.ts";
import type { FieldCipher } from "../security/field-cipher.ts";
import { type KnowledgeStore, reportedQuestionOf } from "./store.ts";

/** count(*) as a number. */
const countAll = () => sql<number>`count(*)`.mapWith(Number);

/** Creates the knowledge store over PostgreSQL. `now` defaults to Date.now. */
export function createPgKnowledgeStore(db: PgDb, cipher: FieldCipher, now: () => number = Date.now): KnowledgeStore {
  const q = () => executor(db);

  return withDriverErrors<KnowledgeStore>({
    async recordQuestion(question) {
      const [row] = await q()
        .insert(questions)
        .values({
          chatId: question.chatId,
          textEnc: cipher.encrypt(question.text),
          locale: question.locale,
          answeredWith: question.answeredWith ?? null,
          score: Math.round(question.score * 1000),
          createdAt: now(),
        })
        .returning({ id: questions.id });
      return row!.id;
    },

    async recordFeedback(chatId, articleId, vote, questionId) {
      // Inside a unit of work this is a savepoint nested in the piece's, not a transaction of its own.
      await q().transaction(async (tx) => {
        await tx
          .insert(articleFeedback)
          .values({ chatId, articleId, vote, questionId: questionId ?? null, createdAt: now() });
        if (questionId !== undefined)
          await tx
            .update(questions)
            .set({ vote })
            .where(and(eq(questions.id, questionId), eq(questions.chatId, chatId)));
      });
    },

    async needingContent(days, limit) {
      const rows = await q()
        .select()
        .from(questions)
        .where(
          and(
            gte(questions.createdAt, now() - days * DAY_MS),
            or(isNull(questions.answeredWith), eq(questions.vote, "down")),
          ),
        )
        .orderBy(desc(questions.createdAt), desc(questions.id))
        .limit(limit);
      return rows.map((r) => reportedQuestionOf(cipher, r));
    },

    async summary(days) {
      const since = now() - days * DAY_MS;
      const [row] = await q()
        .select({
          asked: countAll(),
          unanswered: sql<number>`count(*) filter (where ${questions.answeredWith} is null)`.mapWith(Number),
        })
        .from(questions)
        .where(gte(questions.createdAt, since));
      const votes = await q()
        .select({ vote: articleFeedback.vote, n: countAll() })
        .from(articleFeedback)
        .where(gte(articleFeedback.createdAt, since))
        .groupBy(articleFeedback.vote);
      const count = (v: "up" | "down") => votes.find((r) => r.vote === v)?.n ?? 0;
      return { asked: row?.asked ?? 0, unanswered: row?.unanswered ?? 0, up: count("up"), down: count("down") };
    },

    async isResidentQuestion(text, normalize) {
      const wanted = normalize(text);
      const rows = await q().select({ textEnc: questions.textEnc }).from(questions).where(isNotNull(questions.textEnc));
      return rows.some((r) => r.textEnc !== null && normalize(cipher.decrypt(r.textEnc)) === wanted);
    },

    async countFor(chatId) {
      const [row] = await q().select({ n: countAll() }).from(questions).where(eq(questions.chatId, chatId));
      return row?.n ?? 0;
    },

    async forgetChat(chatId, anonymousId) {
      await q().transaction(async (tx) => {
        await tx.update(questions).set({ textEnc: null, chatId: anonymousId }).where(eq(questions.chatId, chatId));
        await tx.update(articleFeedback).set({ chatId: anonymousId }).where(eq(articleFeedback.chatId, chatId));
      });
    },

    async purge(retentionDays) {
      const purged = await q()
        .update(questions)
        .set({ textEnc: null })
        .where(and(isNotNull(questions.textEnc), lt(questions.createdAt, now() - retentionDays * DAY_MS)));
      return purged.rowCount ?? 0;
    },
  });
}
