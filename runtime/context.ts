/**
 * The context a plts function receives: arguments, the function's identity, the transaction time,
 * and the database (`ctx.db`) and logging (`ctx.log`) APIs. Types only; the values are provided by
 * the `plts` extension inside PostgreSQL, or by {@linkcode callLocal} in Deno tests.
 *
 * @module
 */

/** A row: column name → value, keys in column order. */
export type Row = Record<string, unknown>;

/** A statement: SQL text and its parameters, or anything with `toSQL()` (Drizzle query builders). */
export type Statement = string | { sql: string; params?: unknown[] } | { toSQL(): { sql: string; params: unknown[] } };

/** What `exec` returns. */
export interface ExecResult {
  /** Rows the statement affected (or returned, for a SELECT). */
  rowCount: number;
  /** `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `MERGE` or `UTILITY`. */
  command: string;
}

/** Options of {@linkcode ReadDb.cursor}. */
export interface CursorOptions {
  /** Rows fetched per round; memory stays bounded by it. Default 1000. */
  batchSize?: number;
}

/**
 * Read access to the database, in the caller's transaction. Results are returned directly inside
 * PostgreSQL and as promises in Deno: always `await` them, and the same code runs in both.
 */
export interface ReadDb {
  /** Runs a statement and returns its rows. */
  query<T extends Row = Row>(statement: Statement, params?: unknown[]): T[] | Promise<T[]>;
  /** Iterates over a large result in batches. */
  /**
   * Iterates over a large result in batches. Inside PostgreSQL the iterator is synchronous, in Deno
   * asynchronous: `for await (const row of ctx.db.cursor(...))` works in both.
   */
  cursor<T extends Row = Row>(
    statement: Statement,
    params?: unknown[],
    options?: CursorOptions,
  ): Iterable<T> | AsyncIterable<T>;
}

/** Read and write access to the database, in the caller's transaction. */
export interface Db extends ReadDb {
  /** Runs a statement and returns `{ rowCount, command }`. */
  exec(statement: Statement, params?: unknown[]): ExecResult | Promise<ExecResult>;
  /**
   * Runs `fn` in a subtransaction: committed when it returns (or its promise resolves), rolled back
   * when it throws (or rejects). Inside PostgreSQL a synchronous `fn` gives its result directly; in Deno
   * the result is always a promise: `await` it, and the code runs in both.
   */
  transaction<T>(fn: (db: Db) => T | Promise<T>): T | Promise<T>;
}

/** Server log messages: `DEBUG1`, `INFO`, `NOTICE`, `WARNING`. */
export interface Log {
  /** Logs at `DEBUG1`; shown only when `log_min_messages`/`client_min_messages` let it through. */
  debug(...args: unknown[]): void;
  /** Logs at `INFO`: always sent to the client. */
  info(...args: unknown[]): void;
  /** Logs at `NOTICE`. */
  notice(...args: unknown[]): void;
  /** Logs at `WARNING`. */
  warn(...args: unknown[]): void;
}

/**
 * The first argument of every plts function call.
 *
 * @typeParam Args The shape of {@linkcode PltsContext.args}.
 * @typeParam D The database API: {@linkcode Db}, or {@linkcode ReadDb} for queries.
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
export interface PltsContext<Args = unknown, D extends ReadDb = Db> {
  /**
   * The call's arguments. For a function declared `(args jsonb) returns jsonb` this is the decoded
   * JSON value itself; otherwise an object keyed by the SQL argument names (`$1`, `$2`, ... for
   * unnamed arguments).
   */
  args: Args;
  /** SQL in the caller's transaction. */
  db: D;
  /** Server log messages. */
  log: Log;
  /** The PostgreSQL function being called. */
  fn: { oid: number; schema: string; name: string };
  /** The start time of the current transaction: SQL `now()` at millisecond precision. */
  now: Date;
}

/**
 * The default export of a plts function body: called with the context, then the SQL arguments in
 * declared order. A returned promise is awaited; `undefined` and `null` become SQL `NULL`.
 *
 * For a function with OUT or INOUT parameters, `Result` is the output record: an object keyed by the
 * OUT names (a missing key is `NULL`, other keys are ignored), or with one output parameter its value.
 * For a set-returning function use {@linkcode PltsSetHandler}.
 *
 * @typeParam Args The shape of {@linkcode PltsContext.args}.
 * @typeParam Positional The SQL arguments after the context, in declared order.
 * @typeParam Result What the handler returns (or its promise resolves to).
 *
 * @example A handler taking two positional integers
 * ```ts
 * import type { PltsHandler } from "./mod.ts";
 *
 * const add: PltsHandler<{ a: number; b: number }, [number, number]> = (_ctx, a, b) => a + b;
 * export default add;
 * ```
 *
 * @example OUT parameters: `f(a int, OUT doubled int, OUT label text)`
 * ```ts
 * import type { PltsHandler } from "./mod.ts";
 *
 * const f: PltsHandler<{ a: number }, [number], { doubled: number; label: string }> = (_ctx, a) => ({
 *   doubled: a * 2,
 *   label: `n${a}`,
 * });
 * export default f;
 * ```
 */
export type PltsHandler<Args = unknown, Positional extends unknown[] = unknown[], Result = unknown> = (
  ctx: PltsContext<Args>,
  ...positional: Positional
) => Result | Promise<Result>;

/**
 * The default export of a set-returning plts function (`RETURNS SETOF <type>`, `RETURNS TABLE (...)`,
 * `RETURNS SETOF record`): it returns an array or any other iterable object, or is a generator or an
 * async generator, or resolves to one of them. Each element is a row: an object keyed by the column
 * names, or for `SETOF <scalar>` the value itself. A string, though iterable, is not a set of rows.
 *
 * @typeParam RowT One element of the set: a row object, or a scalar value.
 * @typeParam Args The shape of {@linkcode PltsContext.args}.
 * @typeParam Positional The SQL arguments after the context, in declared order.
 *
 * @example `RETURNS TABLE (n int, square int)` from a generator
 * ```ts
 * import type { PltsSetHandler } from "./mod.ts";
 *
 * const squares: PltsSetHandler<{ n: number; square: number }, { upto: number }, [number]> = function* (_ctx, upto) {
 *   for (let n = 1; n <= upto; n++) yield { n, square: n * n };
 * };
 * export default squares;
 * ```
 *
 * @example `RETURNS SETOF text` from the rows of a query
 * ```ts
 * import type { PltsSetHandler } from "./mod.ts";
 *
 * const names: PltsSetHandler<string> = async (ctx) => {
 *   const rows = await ctx.db.query<{ name: string }>("select name from items order by name");
 *   return rows.map((row) => row.name);
 * };
 * export default names;
 * ```
 */
export type PltsSetHandler<RowT, Args = unknown, Positional extends unknown[] = unknown[]> = (
  ctx: PltsContext<Args>,
  ...positional: Positional
) =>
  | (Iterable<RowT> & object)
  | AsyncIterable<RowT>
  | Promise<(Iterable<RowT> & object) | AsyncIterable<RowT>>;
