/**
 * The plts runtime contract: what a TypeScript function running inside PostgreSQL receives.
 *
 * The default export of a `LANGUAGE plts` function body is called with a {@linkcode PltsContext}
 * followed by the SQL arguments in declared order. The same source is embedded into the `plts`
 * extension as the built-in module `@stopgap/runtime`.
 *
 * @example Typing a function body
 * ```ts
 * import type { PltsContext, PltsHandler } from "./mod.ts";
 *
 * const greet: PltsHandler<{ name: string }> = (ctx: PltsContext<{ name: string }>) => `hello ${ctx.args.name}`;
 * ```
 *
 * @module
 */

/**
 * The version of the runtime contract; equals the package version in `deno.json`.
 *
 * @example Printing the version
 * ```ts
 * import { VERSION } from "./mod.ts";
 *
 * console.log(`runtime ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";

/**
 * The first argument of every plts function call.
 *
 * @typeParam Args The shape of {@linkcode PltsContext.args}.
 *
 * @example Reading the context
 * ```ts
 * import type { PltsContext } from "./mod.ts";
 *
 * export default (ctx: PltsContext<{ id: number }>) => ({
 *   id: ctx.args.id,
 *   calledAs: `${ctx.fn.schema}.${ctx.fn.name}`,
 *   at: ctx.now.toISOString(),
 * });
 * ```
 */
export interface PltsContext<Args = unknown> {
  /**
   * The call's arguments. For a function declared `(args jsonb) returns jsonb` this is the decoded
   * JSON value itself; otherwise an object keyed by the SQL argument names (`$1`, `$2`, ... for
   * unnamed arguments).
   */
  args: Args;
  /** The PostgreSQL function being called. */
  fn: {
    /** Its `pg_proc` oid. */
    oid: number;
    /** The schema it lives in. */
    schema: string;
    /** Its name, without the schema. */
    name: string;
  };
  /** The start time of the current transaction: SQL `now()` at millisecond precision, the same for every call in it. */
  now: Date;
}

/**
 * The default export of a plts function body: called with the context, then the SQL arguments in
 * declared order. A returned promise is awaited; `undefined` and `null` become SQL `NULL`.
 *
 * @typeParam Args The shape of {@linkcode PltsContext.args}.
 * @typeParam Positional The SQL arguments passed after the context.
 *
 * @example A handler taking two positional integers
 * ```ts
 * import type { PltsHandler } from "./mod.ts";
 *
 * const add: PltsHandler<{ a: number; b: number }, [number, number]> = (_ctx, a, b) => a + b;
 * export default add;
 * ```
 */
export type PltsHandler<Args = unknown, Positional extends unknown[] = unknown[]> = (
  ctx: PltsContext<Args>,
  ...positional: Positional
) => unknown | Promise<unknown>;
