/**
 * Test helper: a fresh, uniquely named database on the private cluster for each test, dropped
 * afterwards.
 *
 * The cluster is the one `./dev db start` runs; its URL comes from `DATABASE_URL` (which `./dev`
 * sets), else {@linkcode DEFAULT_DATABASE_URL}. Nothing here mocks PostgreSQL.
 *
 * @example One test, one database
 * ```ts
 * import { withDatabase } from "./harness.ts";
 *
 * Deno.test("a table can be created", () =>
 *   withDatabase("example", async ({ sql }) => {
 *     await sql`create table t (id int)`;
 *   }));
 * ```
 *
 * @module
 */

import postgres from "postgres";

/** The private cluster's URL when `DATABASE_URL` is not set (the `./dev` default port). */
export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:54329/postgres";

/** Server notices (e.g. from `drop ... if exists`) are not test output. */
const OPTIONS = { onnotice: () => {}, connect_timeout: 10 };

/**
 * The URL of the cluster's maintenance database: `DATABASE_URL`, else {@linkcode DEFAULT_DATABASE_URL}.
 *
 * @example
 * ```ts
 * import { databaseUrl } from "./harness.ts";
 *
 * console.log(new URL(databaseUrl()).port);
 * ```
 */
export function databaseUrl(): string {
  return Deno.env.get("DATABASE_URL") || DEFAULT_DATABASE_URL;
}

/**
 * A postgres.js client on the maintenance database, for creating and dropping databases or reading
 * cluster-wide catalogs. The caller ends it.
 *
 * @returns a `sql` tag with one connection
 *
 * @example Listing databases
 * ```ts
 * import { adminSql } from "./harness.ts";
 *
 * const admin = adminSql();
 * try {
 *   console.log(await admin`select datname from pg_database`);
 * } finally {
 *   await admin.end();
 * }
 * ```
 */
export function adminSql(): postgres.Sql {
  return postgres(databaseUrl(), { ...OPTIONS, max: 1 });
}

/** A database that exists for one test. `await using` drops it at the end of the scope. */
export interface FreshDatabase extends AsyncDisposable {
  /** Its name, `t_<label>_<random>`. */
  readonly name: string;
  /** A connection URL for it, e.g. to pass to the CLI with `--db`. */
  readonly url: string;
  /** A postgres.js client connected to it; ended by {@linkcode FreshDatabase.drop}. */
  readonly sql: postgres.Sql;
  /** Ends `sql` and drops the database, even if other clients are still connected. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, empty database on the private cluster.
 *
 * @param label a word naming the test file or test (letters, digits, `_`; anything else becomes `_`)
 * @returns the database, to be dropped with `drop()` or `await using`
 * @throws {Error} naming the cluster URL and `./dev db start` when the cluster cannot be reached
 *
 * @example With `await using`
 * ```ts
 * import { freshDatabase } from "./harness.ts";
 *
 * Deno.test("rows can be inserted", async () => {
 *   await using db = await freshDatabase("example");
 *   await db.sql`create table t (id int)`;
 *   await db.sql`insert into t values (1)`;
 * });
 * ```
 */
export async function freshDatabase(label: string): Promise<FreshDatabase> {
  const name = uniqueName(label);
  await withAdmin(async (admin) => {
    try {
      await admin`create database ${admin(name)}`;
    } catch (cause) {
      throw new Error(`Cannot create test database "${name}" on ${databaseUrl()}; is "./dev db start" running`, {
        cause,
      });
    }
  });
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { ...OPTIONS, max: 4 });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await sql.end({ timeout: 5 });
    await withAdmin((admin) => admin`drop database if exists ${admin(name)} with (force)`);
  };
  return { name, url: url.href, sql, drop, [Symbol.asyncDispose]: drop };
}

/**
 * Runs `fn` with a fresh database and drops it afterwards, also when `fn` throws.
 *
 * @param label a word naming the test file or test, used in the database name
 * @param fn the test body
 * @returns what `fn` returns
 *
 * @example
 * ```ts
 * import { withDatabase } from "./harness.ts";
 *
 * Deno.test("select 1 answers 1", () =>
 *   withDatabase("example", async ({ sql }) => {
 *     const [row] = await sql`select 1 as one`;
 *     if (row.one !== 1) throw new Error("unexpected");
 *   }));
 * ```
 */
export async function withDatabase<T>(label: string, fn: (db: FreshDatabase) => Promise<T>): Promise<T> {
  await using db = await freshDatabase(label);
  return await fn(db);
}

/**
 * Runs `fn` with a one-connection client on the maintenance database ({@linkcode adminSql}) and ends it.
 *
 * @param fn what to do with the client
 * @returns what `fn` returns
 */
export async function withAdmin<T>(fn: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = adminSql();
  try {
    return await fn(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** `t_<label>_<8 hex digits>`, at most 63 bytes (PostgreSQL's identifier limit). */
function uniqueName(label: string): string {
  const word = label.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 40);
  const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0"));
  return `t_${word}_${random.join("")}`;
}
