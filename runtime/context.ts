/**
 * The context a plts function receives: arguments, the function's identity, the transaction time,
 * the database (`ctx.db`) and logging (`ctx.log`) APIs, and in a trigger `ctx.trigger` (`ctx.event`
 * in an event trigger). Types only; the values are provided by the `plts` extension inside
 * PostgreSQL, or by {@linkcode callLocal} in Deno tests.
 *
 * @module
 */

/**
 * A row: column name → value, keys in column order. It is the default row type; the type
 * parameters that take a row (`query<T>`, `cursor<T>`, `TriggerContext<RowT>`, ...) accept any
 * object type, so an interface (which has no index signature, as `stopgap types --tables` writes
 * them) fits as well as a type literal.
 */
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
  query<T extends object = Row>(statement: Statement, params?: unknown[]): T[] | Promise<T[]>;
  /** Iterates over a large result in batches. */
  /**
   * Iterates over a large result in batches. Inside PostgreSQL the iterator is synchronous, in Deno
   * asynchronous: `for await (const row of ctx.db.cursor(...))` works in both.
   */
  cursor<T extends object = Row>(
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

/**
 * Another plts function as a JS function ({@linkcode Functions.get}): called with its SQL arguments
 * in declared order, it returns the function's result converted as a call through SQL would.
 * Inside PostgreSQL the result comes directly, in Deno as a promise: always `await` it.
 */
// deno-lint-ignore no-explicit-any
export type PltsFunction<Args extends unknown[] = any[], Result = unknown> = (
  ...args: Args
) => Result | Promise<Result>;

/**
 * `ctx.functions`: other plts functions, called without SQL. A call goes through PostgreSQL's
 * function manager as a call from SQL does (the callee's `SECURITY DEFINER` and `SET` clauses
 * apply, the caller needs `EXECUTE`), but nothing is parsed, planned or executed.
 *
 * @example Calling another plts function
 * ```ts
 * import type { PltsContext, PltsFunction } from "./mod.ts";
 *
 * export default async (ctx: PltsContext<{ a: number }>) => {
 *   const add: PltsFunction<[number, number], number> = ctx.functions.get("public.add(int, int)");
 *   return await add(ctx.args.a, 1);
 * };
 * ```
 */
export interface Functions {
  /**
   * The plts function `signature` names: `schema.name(argtypes)` as `regprocedure` reads it
   * (unqualified names follow `search_path`), or a name alone when one function has it. The
   * returned function may be kept and called again; a replaced function is called in its new
   * version.
   *
   * @throws a `PostgresError`: `42883` no such function, `42725` a name several functions have,
   *   `42809` not a plts function, or one a direct call cannot make (a procedure, a set-returning,
   *   trigger or polymorphic function); when called, `42501` without `EXECUTE`, `22023` the wrong
   *   number of arguments, `42804` an argument of the wrong type, and any error of the callee.
   */
  get<F extends PltsFunction = PltsFunction>(signature: string): F;
}

/**
 * `ctx.db` of a procedure called by `CALL` (or a DO block) outside a transaction block, which may end
 * its transaction: the handler goes on in a new one. Elsewhere both are an error `2D000`. Inside
 * PostgreSQL only; type a procedure's ctx as `PltsContext<Args, ProcedureDb>`.
 *
 * @example A procedure that commits in chunks
 * ```ts
 * import type { PltsContext, ProcedureDb } from "./mod.ts";
 *
 * export default (ctx: PltsContext<{ chunks: number }, ProcedureDb>, chunks: number) => {
 *   for (let i = 0; i < chunks; i++) {
 *     ctx.db.exec("update items set seen = true where id % $1 = $2", [chunks, i]);
 *     ctx.db.commit();
 *   }
 * };
 * ```
 */
export interface ProcedureDb extends Db {
  /** Commits the transaction and starts a new one; cursors the call opened are closed. */
  commit(): void;
  /** Rolls back the transaction and starts a new one; cursors the call opened are closed. */
  rollback(): void;
}

/** Where a window argument is read from: the current row, or the partition's or frame's first or last row. */
export type WindowSeek = "current" | "head" | "tail";

/**
 * `ctx.window` of a `WINDOW` function's call: PostgreSQL's window API. Positions are 0-based within
 * the partition; an argument read outside the partition or frame is `undefined`.
 *
 * @example `rank()` in plts
 * ```ts
 * import type { WindowContext } from "./mod.ts";
 *
 * export default (ctx: WindowContext) => {
 *   const w = ctx.window;
 *   const pos = w.position();
 *   if (pos === 0 || !w.rowsArePeers(pos - 1, pos)) w.partition.rank = pos + 1;
 *   return w.partition.rank;
 * };
 * ```
 */
export interface WindowApi {
  /** The current row's position in its partition. */
  position(): number;
  /** The number of rows in the current partition. */
  partitionRowCount(): number;
  /** Whether the rows at two positions are peers under the window's ORDER BY. */
  rowsArePeers(a: number, b: number): boolean;
  /** Lets PostgreSQL forget the rows before `position`. */
  setMarkPosition(position: number): void;
  /** Argument `argno` of the current row. */
  argCurrent(argno: number): unknown;
  /** Argument `argno` of the row `relpos` away from `seek` in the partition; `undefined` outside it. */
  argInPartition(argno: number, relpos?: number, seek?: WindowSeek, setMark?: boolean): unknown;
  /** Argument `argno` of the row `relpos` away from `seek` in the frame; `undefined` outside it. */
  argInFrame(argno: number, relpos?: number, seek?: WindowSeek, setMark?: boolean): unknown;
  /** An object kept for the rows of the current partition. */
  readonly partition: Record<string, unknown>;
}

/** The ctx of a `WINDOW` function's call: a {@linkcode PltsContext} with `window`. */
export interface WindowContext<Args = unknown> extends PltsContext<Args> {
  /** The window API of the current row's call. */
  window: WindowApi;
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
  /** Other plts functions, called directly. */
  functions: Functions;
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

/**
 * `ctx.trigger` of a trigger function (`RETURNS trigger`): what fired it, on which table, and the
 * rows. `new` is the row being inserted or the row an UPDATE makes, `old` the row being updated or
 * deleted; each is `null` where the event has none, and both are `null` at statement level.
 *
 * @typeParam RowT The table's row: its columns by name.
 *
 * @example Describing a trigger's call
 * ```ts
 * import type { TriggerData } from "./mod.ts";
 *
 * export const describe = (trigger: TriggerData): string =>
 *   `${trigger.name}: ${trigger.when} ${trigger.event} ${trigger.level} on ${trigger.table.schema}.${trigger.table.name}`;
 * ```
 */
export interface TriggerData<RowT extends object = Row> {
  /** The statement that fired the trigger. */
  event: "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE";
  /** When the trigger runs: `INSTEAD OF` is a view's row trigger. */
  when: "BEFORE" | "AFTER" | "INSTEAD OF";
  /** `FOR EACH ROW` or `FOR EACH STATEMENT`. */
  level: "ROW" | "STATEMENT";
  /** The trigger's name (`CREATE TRIGGER <name>`). */
  name: string;
  /** The table (or view) the trigger is on. */
  table: { schema: string; name: string; oid: number };
  /** The trigger's arguments, as text: `EXECUTE FUNCTION f('a', 'b')` gives `["a", "b"]`. */
  args: string[];
  /** The new row: set for INSERT and UPDATE row triggers, `null` otherwise. */
  new: RowT | null;
  /** The old row: set for UPDATE and DELETE row triggers, `null` otherwise. */
  old: RowT | null;
}

/**
 * The context of a trigger function (`RETURNS trigger`): a {@linkcode PltsContext} with
 * {@linkcode TriggerData} as `ctx.trigger`. A trigger function has no SQL arguments, so `ctx.args` is
 * an empty object; the trigger's own arguments are `ctx.trigger.args`. `ctx.db` runs in the
 * transaction of the statement that fired the trigger; in a statement trigger with
 * `REFERENCING NEW TABLE AS ...` or `OLD TABLE AS ...`, `ctx.db` queries the transition tables by
 * those names.
 *
 * @typeParam RowT The table's row: its columns by name.
 *
 * @example An AFTER row trigger writing an audit row
 * ```ts
 * import type { TriggerContext } from "./mod.ts";
 *
 * export default async (ctx: TriggerContext<{ id: number; name: string }>) => {
 *   const { event, table } = ctx.trigger;
 *   const row = ctx.trigger.new ?? ctx.trigger.old;
 *   await ctx.db.exec("insert into audit (tbl, op, row_id) values ($1, $2, $3)", [table.name, event, row?.id ?? null]);
 * };
 * ```
 */
export interface TriggerContext<RowT extends object = Row> extends PltsContext<Record<never, never>> {
  /** What fired the trigger, and the rows. */
  trigger: TriggerData<RowT>;
}

/**
 * The default export of a trigger function (`CREATE FUNCTION f() RETURNS trigger LANGUAGE plts`),
 * called with the context alone. A returned promise is awaited.
 *
 * A BEFORE or INSTEAD OF row trigger must return the row to use, or `null` to skip the row: for
 * INSERT and UPDATE `ctx.trigger.new`, changed or not, or any object keyed by column names (a missing
 * key is `NULL`; make a column optional in `RowT` to leave it out), and for DELETE `ctx.trigger.old`.
 * Returning `undefined` from one is an error at run time, which this type cannot catch: it also
 * types AFTER and statement-level triggers, whose results are ignored and which return nothing.
 *
 * @typeParam RowT The table's row: its columns by name.
 *
 * @example A BEFORE INSERT OR UPDATE row trigger that sets a column
 * ```ts
 * import type { PltsTriggerHandler } from "./mod.ts";
 *
 * // CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON items FOR EACH ROW EXECUTE FUNCTION stamp();
 * const stamp: PltsTriggerHandler<{ id: number; name: string; updated_at: Date | null }> = (ctx) => {
 *   const row = ctx.trigger.new;
 *   return row === null ? null : { ...row, name: row.name.trim(), updated_at: ctx.now };
 * };
 * export default stamp;
 * ```
 *
 * @example An AFTER statement trigger reading its transition table
 * ```ts
 * import type { PltsTriggerHandler } from "./mod.ts";
 *
 * // CREATE TRIGGER counted AFTER INSERT ON items REFERENCING NEW TABLE AS inserted
 * //   FOR EACH STATEMENT EXECUTE FUNCTION counted();
 * const counted: PltsTriggerHandler = async (ctx) => {
 *   const [{ n }] = await ctx.db.query<{ n: number }>("select count(*)::int as n from inserted");
 *   ctx.log.info(`${n} rows into ${ctx.trigger.table.name}`);
 * };
 * export default counted;
 * ```
 */
export type PltsTriggerHandler<RowT extends object = Row> = (
  ctx: TriggerContext<RowT>,
) => RowT | null | void | Promise<RowT | null | void>;

/**
 * `ctx.event` of an event trigger function (`RETURNS event_trigger`).
 *
 * @example Telling DDL events apart
 * ```ts
 * import type { EventTriggerData } from "./mod.ts";
 *
 * export const isDrop = (event: EventTriggerData): boolean => event.event === "sql_drop" || event.tag.startsWith("DROP ");
 * ```
 */
export interface EventTriggerData {
  /** The event: `ddl_command_start`, `ddl_command_end`, `sql_drop` or `table_rewrite`. */
  event: string;
  /** The command tag of the statement that fired it: `CREATE TABLE`, `ALTER TABLE`, `DROP INDEX`, ... */
  tag: string;
}

/**
 * The context of an event trigger function (`RETURNS event_trigger`): a {@linkcode PltsContext} with
 * {@linkcode EventTriggerData} as `ctx.event`. An event trigger function has no SQL arguments, so
 * `ctx.args` is an empty object.
 *
 * @example Refusing a command
 * ```ts
 * import type { EventTriggerContext } from "./mod.ts";
 *
 * export default (ctx: EventTriggerContext) => {
 *   if (ctx.event.tag === "DROP TABLE") throw new Error("tables are not dropped here");
 * };
 * ```
 */
export interface EventTriggerContext extends PltsContext<Record<never, never>> {
  /** The event and the command that fired it. */
  event: EventTriggerData;
}

/**
 * The default export of an event trigger function
 * (`CREATE FUNCTION f() RETURNS event_trigger LANGUAGE plts`), called with the context alone. It
 * returns nothing (a returned promise is awaited); a throw fails the command that fired it.
 *
 * @example Logging every DDL command
 * ```ts
 * import type { PltsEventTriggerHandler } from "./mod.ts";
 *
 * // CREATE EVENT TRIGGER ddl_log ON ddl_command_end EXECUTE FUNCTION ddl_log();
 * const ddlLog: PltsEventTriggerHandler = (ctx) => {
 *   ctx.log.notice(`${ctx.event.event}: ${ctx.event.tag}`);
 * };
 * export default ddlLog;
 * ```
 */
export type PltsEventTriggerHandler = (ctx: EventTriggerContext) => void | Promise<void>;
