/**
 * The "kb" flow, generated from the knowledge base rather than written by hand: the topic menu, one menu per topic,
 * one screen per article page, the screens after a 👍 / 👎, and the topics with the search's guesses first (after a
 * question it was not sure about). Article screens get their buttons (next page, votes, related articles, other
 * answers, counsellor) from the kb_article choice provider; the guesses screen from kb_suggest.
 */
import type { Flow, FlowNode } from "../engine/flow-schema.ts";
import type { KnowledgeBase } from "./model.ts";

export const KB_FLOW = "kb";
export const KB_TOPICS = `${KB_FLOW}.topics`;
/** The topics with the search's best guesses first, after a question it was not sure about. */
export const KB_SUGGEST = `${KB_FLOW}.suggest`;

/** The node of an article page, e.g. "kb.a_passport_2". */
export function articlePage(articleId: string, page: number): string {
  return `${KB_FLOW}.a_${articleId}_${page}`;
}

/** The article and page a node shows; undefined for other nodes. */
export function parseArticlePage(ref: string): { articleId: string; page: number } | undefined {
  const match = /^kb\.a_([a-z0-9_]+)_(\d+)$/.exec(ref);
  return match ? { articleId: match[1] as string, page: Number(match[2]) } : undefined;
}

/** Builds the flow. `pagesOf` tells how many pages an article has (from its words in the locales). */
export function buildKnowledgeFlow(kb: KnowledgeBase, pagesOf: (articleId: string) => number): Flow {
  const nodes: Record<string, FlowNode> = {};
  const counsellor = { id: "counsellor", label: "knowledge.talk_to_counsellor", next: kb.counsellor };
  nodes.topics = {
    kind: "menu",
    text: "knowledge.topics_prompt",
    choices: [
      ...kb.topics.map((t) => ({ id: t.id, label: `knowledge.topics.${t.id}`, next: `topic_${t.id}` })),
      counsellor,
    ],
    columns: 1,
    home: false,
  };
  // Its buttons (guesses, then the topics and the counsellor) come from the kb_suggest provider (feature.ts).
  nodes.suggest = {
    kind: "menu",
    text: "knowledge.suggest_prompt",
    choices: [],
    choices_from: "kb_suggest",
    columns: 1,
    home: false,
  };
  for (const topic of kb.topics) {
    nodes[`topic_${topic.id}`] = {
      kind: "menu",
      text: `knowledge.topic_intro.${topic.id}`,
      choices: topic.articles.map((id) => ({ id, label: `articles.${id}.title`, next: `a_${id}_1` })),
      columns: 1,
      home: false,
    };
  }
  for (const article of kb.articles.values()) {
    const pages = pagesOf(article.id);
    for (let page = 1; page <= pages; page++) {
      nodes[`a_${article.id}_${page}`] = {
        kind: "menu",
        ...(page === 1 ? { title: `articles.${article.id}.title` } : {}),
        text: `articles.${article.id}.p${page}`,
        choices: [],
        choices_from: "kb_article",
        columns: 1,
        home: false,
        ...(article.sensitive ? { discreet: true } : {}),
      };
    }
  }
  const afterVote = (text: string): FlowNode => ({
    kind: "menu",
    text,
    choices: [{ id: "topics", label: "knowledge.more_topics", next: "topics" }, counsellor],
    columns: 1,
    home: false,
  });
  nodes.thanks_up = afterVote("knowledge.thanks_up");
  nodes.thanks_down = afterVote("knowledge.thanks_down");
  return {
    id: KB_FLOW,
    description: "Safe-migration knowledge (generated from flows/knowledge/articles.yaml).",
    nodes,
  };
}
