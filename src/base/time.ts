/** Durations in milliseconds, and the time zone every date and reminder is in unless configured otherwise. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Cambodia's time zone (UTC+7, no daylight-saving time). */
export const DEFAULT_TIME_ZONE = "Asia/Phnom_Penh";
