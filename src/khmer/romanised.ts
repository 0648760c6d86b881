/**
 * Romanised Khmer: Khmer written in Latin letters, as people type it on a phone without a Khmer keyboard. There is
 * no standard spelling ("chuoy", "chouy", "jouy" and "juoy" are all ជួយ), so words are compared after a fold that
 * joins the usual alternatives: letters written twice, an h after a consonant, ch/j, and runs of vowels reduced to
 * one vowel class. Pure and total.
 */

/**
 * Reduces a run of vowels to its class: o/u without e → "o" (ou, uo, oo), e with o/u → "eu" (eu, oe: ើ), any a →
 * "a" (ea, aa), else "e" (e, i, ee). A run of two or more ending in i or y keeps that glide as "i", so that វាយ
 * "vay" (hit) stays apart from វា "vea" (he, it).
 */
function vowelClass(run: string): string {
  const glide = run.length > 1 && /[iy]$/.test(run) ? "i" : "";
  const core = glide ? run.slice(0, -1) : run;
  const hasOU = /[ou]/.test(core);
  if (hasOU && core.includes("e")) return `eu${glide}`;
  if (hasOU) return `o${glide}`;
  if (core.includes("a")) return `a${glide}`;
  return `e${glide}`;
}

/**
 * Folds one Latin word for comparing romanised spellings: lower case, letters only, ch/j → c, an h after a
 * consonant dropped, doubled letters single, vowel runs to one class ("vay", "vai", "veay" → "vai";
 * "vea" → "va"). Words with digits are returned lower-cased only ("117").
 */
export function romanFold(word: string): string {
  const lower = word.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (/\d/.test(lower)) return lower;
  return lower
    .replace(/ch|j/g, "c")
    .replace(/([bcdfgklmnprstvwxz])h/g, "$1")
    .replace(/(.)\1+/g, "$1")
    .replace(/[aeiouy]+/g, vowelClass);
}
