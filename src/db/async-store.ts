/**
 * Every store's interface is asynchronous, because a network database (PostgreSQL) answers later. A store over
 * SQLite keeps its synchronous prepared statements and is given that interface here: each method returns a promise
 * of what it returned, and a throw becomes a rejection, so callers behave the same over either database.
 */

/** `T` with each method returning a promise of its result. */
export type AsyncMethods<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/**
 * The methods of a synchronous store as promise-returning methods (other properties are kept as they are). A method
 * that calls a sibling through `this` still reaches the synchronous one: `this` is the original object.
 */
export function asyncMethods<T extends object>(methods: T): AsyncMethods<T> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(methods)) {
    if (typeof value !== "function") {
      wrapped[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve(method.apply(methods, args));
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return wrapped as AsyncMethods<T>;
}
