/**
 * The one article offered under the emergency numbers when a typed message is taken for danger. Someone who writes
 * "my stepfather beats my little sister, who can help?" needs 1280 first, and then the child-protection article
 * they asked for rather than nothing. Offered only when the search is sure of its answer and the article is marked
 * `beside_danger` in flows/knowledge/articles.yaml, so a medical emergency is never answered with the ID-card page.
 *
 * On the dev split (1 December 2026, index without the dev examples), 111 of the 2,606 in-scope questions were taken
 * for danger; the search was sure and right for 92 of them and sure and wrong for 2.
 */
import type { KnowledgeBase } from "./model.ts";
import type { SearchIndex } from "./search.ts";

/** The id of the article to offer beside the emergency screen for `text`, or undefined. */
export function articleBesideDanger(
  index: Pick<SearchIndex, "search">,
  kb: Pick<KnowledgeBase, "articles">,
  text: string,
): string | undefined {
  const { hits, confident } = index.search(text, 1);
  const best = confident ? hits[0] : undefined;
  return best && kb.articles.get(best.id)?.beside_danger ? best.id : undefined;
}
