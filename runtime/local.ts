/**
 * Run a wrapped handler in Deno against a real PostgreSQL, with the semantics it has inside plts:
 * `ctx.db` runs in one transaction that commits when the handler returns and rolls back when it
 * throws, and a `query` runs in a `READ ONLY` transaction, so PostgreSQL refuses its writes. No part
 * of the database is faked.
 *
 * @module
 */

import type postgres from "postgres";
import type {
  CursorOptions,
  Db,
  ExecResult,
  Functions,
  Log,
  PltsContext,
  PltsFunction,
  Row,
  Statement,
} from "./context.ts";
import type { Schema } from "./schema.ts";
import type { Wrapped } from "./wrappers.ts";

/** A postgres.js client, as `postgres(url)` returns it; every function of the API that talks to PostgreSQL takes one. */
export type Sql = postgres.Sql;

/** Options of {@linkcode callLocal}. */
export interface LocalOptions {
  /** A postgres.js client; the call runs in one transaction on it. */
  sql: Sql;
  /** `ctx.fn`; defaults to `{ oid: 0, schema: "local", name: "handler" }`. */
  fn?: PltsContext["fn"];
  /** Where `ctx.log` goes; defaults to `console`. */
  log?: Log;
}

/**
 * Calls `handler` with `args` as `ctx.args`, in one transaction on `options.sql`.
 *
 * @param handler a `query(...)` or `mutation(...)`
 * @param args the arguments, validated by the handler's schema
 * @param options the postgres.js client, and optionally `fn` and `log`
 * @returns the handler's result
 * @throws {ValidationError} for invalid arguments, {@linkcode postgres.PostgresError} for SQL errors
 *
 * @example Testing a query
 * ```ts ignore
 * import postgres from "postgres";
 * import { callLocal, query, v } from "../mod.ts";
 *
 * const count = query(v.object({}), async (_args, ctx) => (await ctx.db.query("select 1 as one"))[0]);
 * const sql = postgres(Deno.env.get("DATABASE_URL")!);
 * console.log(await callLocal(count, {}, { sql })); // { one: 1 }
 * await sql.end();
 * ```
 */
export async function callLocal<K extends "query" | "mutation", S extends Schema, R>(
  handler: Wrapped<K, S, R>,
  args: unknown,
  options: LocalOptions,
): Promise<R> {
  const mode = handler.kind === "query" ? "read only" : "read write";
  return await options.sql.begin(mode, async (tx) => {
    const [{ now }] = await tx<{ now: Date }[]>`select now() as now`;
    const ctx: PltsContext<unknown, Db> = {
      args,
      db: localDb(tx),
      log: options.log ?? consoleLog,
      functions: localFunctions(tx),
      fn: options.fn ?? { oid: 0, schema: "local", name: "handler" },
      now,
    };
    return await handler(ctx);
  }) as R;
}

const consoleLog: Log = {
  debug: (...args) => console.debug(...args),
  info: (...args) => console.info(...args),
  notice: (...args) => console.log(...args),
  warn: (...args) => console.warn(...args),
};

function statement(first: Statement, params?: unknown[]): [string, unknown[]] {
  if (typeof first === "string") return [first, params ?? []];
  const built = "toSQL" in first ? first.toSQL() : first;
  return [built.sql, built.params ?? []];
}

/**
 * `ctx.functions` on a postgres.js transaction: the function is found as plts finds it
 * (`regprocedure`, or `regproc` for a name alone) and called through SQL with each argument cast
 * to its parameter's type, its result as JSON (a row as an object).
 */
function localFunctions(tx: postgres.TransactionSql): Functions {
  return {
    get<F extends PltsFunction = PltsFunction>(signature: string): F {
      const cast = signature.includes("(") ? "regprocedure" : "regproc";
      const call = async (...args: unknown[]) => {
        const [{ name, types }] = await tx.unsafe(
          `select p.oid::regproc::text as name, array(select format_type(t, null) from unnest(p.proargtypes) t) as types
             from pg_proc p where p.oid = $1::${cast}::oid`,
          [signature],
        );
        // Each argument cast to its parameter's type, so the call reaches this function and no overload.
        const placeholders = (types as string[]).map((type, i) => `$${i + 1}::${type}`).join(", ");
        const [row] = await tx.unsafe(
          `select to_jsonb(${name}(${placeholders})) as result`,
          args as postgres.ParameterOrJSON<never>[],
        );
        return row.result;
      };
      return call as F;
    },
  };
}

/** `ctx.db` on a postgres.js transaction (or savepoint): rows as plain objects, like plts returns them. */
function localDb(tx: postgres.TransactionSql): Db {
  const db: Db = {
    async query<T extends object = Row>(first: Statement, params?: unknown[]): Promise<T[]> {
      const [text, values] = statement(first, params);
      const rows = await tx.unsafe(text, values as postgres.ParameterOrJSON<never>[]);
      return rows.map((row) => ({ ...row }) as unknown as T);
    },
    async exec(first: Statement, params?: unknown[]): Promise<ExecResult> {
      const [text, values] = statement(first, params);
      const result = await tx.unsafe(text, values as postgres.ParameterOrJSON<never>[]);
      return { rowCount: result.count ?? 0, command: result.command ?? "UTILITY" };
    },
    async *cursor<T extends object = Row>(first: Statement, params?: unknown[], options?: CursorOptions) {
      const [text, values] = statement(first, params);
      const batch = options?.batchSize ?? 1000;
      for await (const rows of tx.unsafe(text, values as postgres.ParameterOrJSON<never>[]).cursor(batch)) {
        for (const row of rows) yield { ...row } as unknown as T;
      }
    },
    async transaction<T>(fn: (db: Db) => T | Promise<T>): Promise<T> {
      return await tx.savepoint(async (sp) => await fn(localDb(sp))) as T;
    },
  };
  return db;
}
