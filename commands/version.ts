/**
 * `stopgap version`: the CLI version and, when a database is configured, the versions of
 * PostgreSQL and of the `plts` and `stopgap` extensions in that database.
 *
 * @module
 */

import { VERSION } from "../runtime/mod.ts";
import type { Command, CommandContext } from "./_command.ts";
import { CONFIGURE_HINT } from "./_db.ts";

/** The extensions whose versions are reported; each has a `<name>.version()` SQL function. */
const EXTENSIONS = ["plts", "stopgap"] as const;

/** What `stopgap version --json` prints. */
export interface VersionReport {
  /** The CLI's version (the package version). */
  cli: string;
  /** `null` when no database is configured. */
  server: {
    /** Where the CLI connected, e.g. `127.0.0.1:54329, database "postgres"`. */
    target: string;
    /** `server_version` of PostgreSQL. */
    postgres: string;
    /** The result of `<name>.version()`, or `null` when the extension is not created in this database. */
    extensions: Record<typeof EXTENSIONS[number], string | null>;
  } | null;
}

/** The `version` command. */
export const version: Command = {
  name: "version",
  summary: "Print the CLI version and the plts/stopgap versions of the database",
  help: `Usage: stopgap version [--db <url>] [--json]

Prints the CLI version. When a database is configured (--db, DATABASE_URL or PG* variables), also
prints the PostgreSQL version and plts.version() / stopgap.version(), or that an extension is not
installed in that database.`,
  flags: {},
  maxArgs: 0,
  run: async (context) => print(context, await report(context)),
};

async function report({ db }: CommandContext): Promise<VersionReport> {
  if (!db.configured) return { cli: VERSION, server: null };
  const sql = await db.connect({ requireStopgap: false });
  const [{ postgres }] = await sql<{ postgres: string }[]>`select current_setting('server_version') as postgres`;
  const created = await sql<{ extname: string }[]>`select extname from pg_extension where extname in ${
    sql(EXTENSIONS)
  }`;
  const extensions = { plts: null, stopgap: null } as Record<typeof EXTENSIONS[number], string | null>;
  for (const name of EXTENSIONS) {
    if (!created.some((row) => row.extname === name)) continue;
    const [row] = await sql<{ version: string }[]>`select ${sql(name)}.version() as version`;
    extensions[name] = row.version;
  }
  return { cli: VERSION, server: { target: db.describe(), postgres, extensions } };
}

function print({ json }: CommandContext, report: VersionReport): void {
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`stopgap CLI ${report.cli}`);
  if (!report.server) {
    console.log("server: no database configured");
    console.log(`hint: ${CONFIGURE_HINT}`);
    return;
  }
  console.log(`server: PostgreSQL ${report.server.postgres} at ${report.server.target}`);
  for (const [name, version] of Object.entries(report.server.extensions)) {
    console.log(`${name}: ${version ?? "not installed in this database"}`);
  }
}
