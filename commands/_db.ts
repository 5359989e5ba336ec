/**
 * Which PostgreSQL the CLI talks to, and opening that connection.
 *
 * @module
 */

import postgres from "postgres";
import { CliError, ExitCode } from "./_errors.ts";

/** Environment variables postgres.js reads when it is given no URL. */
const PG_ENV = ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER"] as const;

/** How messages describe the URLs {@linkcode isPostgresUrl} accepts. */
export const POSTGRES_URL = "a PostgreSQL URL (postgres://user@host:port/database)";

/**
 * Whether `url` is a PostgreSQL connection URL: `postgres://` or `postgresql://`, parsed the way
 * postgres.js parses it (several `host:port` pairs separated by commas are one URL).
 *
 * @example
 * ```ts
 * import { isPostgresUrl } from "./_db.ts";
 *
 * isPostgresUrl("postgres://app@127.0.0.1:5432/app"); // true
 * isPostgresUrl("notaurl"); // false
 * ```
 */
export function isPostgresUrl(url: string): boolean {
  const match = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (!match) return false;
  const [, scheme, authority, rest] = match;
  const at = authority.lastIndexOf("@") + 1;
  const firstHost = authority.slice(at).split(",")[0];
  return URL.canParse(`${scheme}${authority.slice(0, at)}${firstHost}${rest}`);
}

/** Where the connection settings came from. */
export type Source = "--db" | "DATABASE_URL" | "PG* environment";

/** How to give the CLI a database; the hint of "No database configured", also printed by `version`. */
export const CONFIGURE_HINT = "Pass --db postgres://<user>@<host>:<port>/<database> or set DATABASE_URL " +
  `(or the PG* variables); from a checkout: ./dev db create my_app, then eval "$(./dev env my_app)"`;

/** The extensions of this package; `stopgap` requires `plts`. */
export interface Extensions {
  /** `extversion` of `plts` in the database, `null` when it is not created there. */
  plts: string | null;
  /** `extversion` of `stopgap` in the database, `null` when it is not created there. */
  stopgap: string | null;
}

/** Options of {@linkcode Database.connect}. */
export interface ConnectOptions {
  /** Fail unless the database has the `stopgap` extension (default `true`; `version` works without it). */
  requireStopgap?: boolean;
}

/**
 * A PostgreSQL connection chosen from `--db`, else `DATABASE_URL`, else the `PG*` environment
 * variables; opened on first use and closed by {@linkcode Database.close}.
 */
export class Database {
  /** Where the settings came from, for messages; `undefined` when nothing was configured. */
  readonly source: Source | undefined;
  readonly #url: string | undefined;
  #sql: postgres.Sql | undefined;
  #extensions: Extensions = { plts: null, stopgap: null };

  /**
   * @param dbFlag the value of `--db`, if given
   * @param env the environment to read `DATABASE_URL` and `PG*` from
   */
  constructor(dbFlag: string | undefined, env: Record<string, string> = Deno.env.toObject()) {
    const chosen = choose(dbFlag, env);
    this.#url = chosen.url;
    this.source = chosen.source;
  }

  /** Whether a connection was configured at all (commands that can work offline check this). */
  get configured(): boolean {
    return this.source !== undefined;
  }

  /**
   * Opens the connection, checks that the server answers and, unless told otherwise, that the database
   * has the `stopgap` extension. The check is part of the one query that tests the connection.
   *
   * @returns a postgres.js `sql` tag on one connection
   * @throws {CliError} with {@linkcode ExitCode.Usage} when no database is configured (code `no_database`)
   *   or `--db`/`DATABASE_URL` is not a PostgreSQL URL, {@linkcode ExitCode.CannotConnect} when the server
   *   cannot be reached, and {@linkcode ExitCode.Failed} when the database has no `stopgap` extension (code
   *   `no_extension`)
   */
  async connect({ requireStopgap = true }: ConnectOptions = {}): Promise<postgres.Sql> {
    if (!this.#sql) this.#sql = await this.#open();
    if (requireStopgap && this.#extensions.stopgap === null) throw await this.#noStopgap(this.#sql);
    return this.#sql;
  }

  async #open(): Promise<postgres.Sql> {
    // Without settings postgres.js would try localhost:5432, a server nobody chose.
    if (!this.configured) {
      throw new CliError("No database configured", ExitCode.Usage, { hint: CONFIGURE_HINT, code: "no_database" });
    }
    if (this.#url !== undefined && !isPostgresUrl(this.#url)) {
      throw new CliError(`${this.source} "${this.#url}" is not ${POSTGRES_URL}`, ExitCode.Usage, {
        hint: this.source === "--db"
          ? "Pass a postgres:// URL"
          : "Set DATABASE_URL to a postgres:// URL, or pass --db <url>",
      });
    }
    // prepare: false, always (no flag): each statement goes as an unnamed one, so the CLI works through
    // pgbouncer and other poolers in transaction mode. A CLI run is one short-lived connection that
    // runs each statement about once, so a named prepared statement (postgres.js' default) saves
    // nothing; behind a transaction pooler it is worse: it lives only on the server backend that
    // parsed it, so running it again from another backend fails (26000, fatal inside a transaction),
    // and the pooler never deallocates it (each run left ~10 on the pool; tests/pooler_test.ts).
    const options = { max: 1, connect_timeout: 10, onnotice: () => {}, prepare: false };
    const sql = this.#url ? postgres(this.#url, options) : postgres(options);
    try {
      const [row] = await sql<Extensions[]>`select
        (select extversion from pg_extension where extname = 'plts') as plts,
        (select extversion from pg_extension where extname = 'stopgap') as stopgap`;
      this.#extensions = { plts: row.plts, stopgap: row.stopgap };
    } catch (cause) {
      await sql.end({ timeout: 0 });
      throw new CliError(`Cannot connect to PostgreSQL at ${target(sql)}`, ExitCode.CannotConnect, {
        cause,
        hint: hint(cause, this.source),
      });
    }
    return sql;
  }

  /** The error for a database without `stopgap`, with a hint that depends on what the server can create. */
  async #noStopgap(sql: postgres.Sql): Promise<CliError> {
    const available = await sql<{ name: string }[]>`select name from pg_available_extensions
      where name in ('plts', 'stopgap')`;
    const missing = ["plts", "stopgap"].filter((name) => !available.some((row) => row.name === name));
    const database = sql.options.database;
    const where = `database "${database}" at ${addresses(sql)}`;
    if (missing.length > 0) {
      return new CliError(`The ${where} has no stopgap extension, and the server has none to create`, ExitCode.Failed, {
        code: "no_extension",
        hint: `Install the ${missing.join(" and ")} extension${missing.length > 1 ? "s" : ""} into this PostgreSQL ` +
          `server (from a checkout: ./dev build), then run CREATE EXTENSION stopgap CASCADE in the database`,
      });
    }
    const plts = this.#extensions.plts === null ? "" : ` (it has plts ${this.#extensions.plts})`;
    return new CliError(`The ${where} has no stopgap extension${plts}`, ExitCode.Failed, {
      code: "no_extension",
      hint: `Run CREATE EXTENSION stopgap CASCADE in database "${database}" as a superuser ` +
        `(CASCADE also creates plts, which stopgap needs); from a checkout, ./dev db create <name> makes a ` +
        `database with both`,
    });
  }

  /** Where the connection goes, e.g. `127.0.0.1:54329, database "postgres"`; for messages. */
  describe(): string {
    return this.#sql ? target(this.#sql) : "(not connected)";
  }

  /** Closes the connection if one was opened. */
  async close(): Promise<void> {
    await this.#sql?.end({ timeout: 5 });
    this.#sql = undefined;
  }
}

function choose(dbFlag: string | undefined, env: Record<string, string>): { url?: string; source?: Source } {
  if (dbFlag) return { url: dbFlag, source: "--db" };
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: "DATABASE_URL" };
  if (PG_ENV.some((name) => env[name])) return { source: "PG* environment" };
  return {};
}

function hint(cause: unknown, source: Source | undefined): string {
  const from = source ? ` (the settings came from ${source})` : "";
  // A server error means the server is up but refused us: wrong database, role or password.
  if (cause instanceof Error && cause.name === "PostgresError") {
    return `Check the database name, user and password of the connection${from}`;
  }
  return `Start the private cluster with "./dev db start", or pass --db <url> or set DATABASE_URL${from}`;
}

function target(sql: postgres.Sql): string {
  return `${addresses(sql)}, database "${sql.options.database}"`;
}

function addresses(sql: postgres.Sql): string {
  const { host, port } = sql.options;
  return host.map((h, i) => `${h}:${port[i] ?? port[0]}`).join(", ");
}
