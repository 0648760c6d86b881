/**
 * A value, or a promise of it: what the domain's hooks (actions, choice providers, commands, jobs, ...) may return.
 * Stores over SQLite answer at once and stores over a network database answer later; every caller awaits either.
 */
export type Awaitable<T> = T | Promise<T>;
