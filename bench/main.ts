/**
 * Benchmarks: the per-call cost of each case, measured side by side in one run against the private
 * cluster and printed as a ratio to a PL/pgSQL function call. Timings are reported, never asserted.
 *
 * Run with `./dev bench` (or `deno run -A bench/main.ts` with the cluster running); see README.md.
 *
 * @module
 */

import postgres from "postgres";

/** The private cluster's URL when `DATABASE_URL` is not set (the `./dev` default port). */
const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:54329/postgres";
/** Each case runs this many times after one warm-up run; the median is reported. */
const REPEATS = 5;
/** Server-side loops: large enough that one query's round trip is noise (~0.1 s per run). */
const SERVER_CALLS = 200_000;
/** Client round trips: each is ~50-200 µs on a loopback connection. */
const ROUND_TRIPS = 1_000;

/** One row of the table. */
interface Case {
  name: string;
  calls: number;
  /** Runs the case once; returns milliseconds per call. */
  measure(sql: postgres.Sql): Promise<number>;
}

/** The table's rows. The first is the reference: every ratio is relative to it. */
const CASES: Case[] = [
  {
    name: "PL/pgSQL function, server-side loop",
    calls: SERVER_CALLS,
    measure: (sql) => perCallInServerLoop(sql, "pg_temp.bench_plpgsql(i)", SERVER_CALLS),
  },
  {
    name: "SELECT 1 round trip from postgres.js",
    calls: ROUND_TRIPS,
    measure: async (sql) => {
      const start = performance.now();
      for (let i = 0; i < ROUND_TRIPS; i++) await sql`select 1`;
      return (performance.now() - start) / ROUND_TRIPS;
    },
  },
];

/**
 * Milliseconds per evaluation of `expression` (over `i`), run `n` times in one query, minus the cost
 * of the same loop without it. `expression` is a constant of this file, never user input.
 */
async function perCallInServerLoop(sql: postgres.Sql, expression: string, n: number): Promise<number> {
  const time = async (select: string) => {
    const start = performance.now();
    await sql.unsafe(`select count(${select}) from generate_series(1, $1::int) i`, [n]);
    return performance.now() - start;
  };
  const loopOnly = await time("i");
  const withCalls = await time(expression);
  return (withCalls - loopOnly) / n;
}

/** Functions the cases call; in `pg_temp`, so they vanish with the connection. */
async function setUp(sql: postgres.Sql): Promise<void> {
  await sql`create function pg_temp.bench_plpgsql(i int) returns int language plpgsql as $$ begin return i; end $$`;
}

async function main(): Promise<void> {
  const url = Deno.env.get("DATABASE_URL") || DEFAULT_DATABASE_URL;
  // One connection: pg_temp functions are per session.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    await setUp(sql);
    const medians: number[] = [];
    for (const c of CASES) medians.push(await median(c, sql));
    console.log(`PostgreSQL ${version} at ${sql.options.host[0]}:${sql.options.port[0]}, median of ${REPEATS} runs\n`);
    printTable([
      ["case", "calls", "µs/call", "vs PL/pgSQL"],
      ...CASES.map((c, i) => [
        c.name,
        String(c.calls),
        (medians[i] * 1000).toFixed(3),
        `${(medians[i] / medians[0]).toFixed(1)}x`,
      ]),
    ]);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function median(c: Case, sql: postgres.Sql): Promise<number> {
  await c.measure(sql); // warm-up: plan caches, PL/pgSQL compiles the function on its first call
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await c.measure(sql));
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

/** Prints rows as columns: the first left-aligned, the others right-aligned. */
function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    console.log(row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  "));
  }
}

if (import.meta.main) {
  if (Deno.args.length > 0) {
    console.error(`error: Unexpected argument "${Deno.args[0]}"\nUsage: deno run -A bench/main.ts (no arguments)`);
    Deno.exit(2);
  }
  try {
    await main();
  } catch (error) {
    console.error(`error: benchmarks failed: ${error instanceof Error ? error.message : error}`);
    console.error(`hint: start the private cluster with "./dev db start", or set DATABASE_URL`);
    Deno.exit(1);
  }
}
