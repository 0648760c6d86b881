/** The languages Spean speaks. Khmer is the default everywhere (DEFAULT_LOCALE may change it). */
export type Locale = "km" | "en";
export const LOCALES: readonly Locale[] = ["km", "en"];
