/**
 * Benchmarks: plts against the alternative a user would pick (PL/pgSQL, or client round trips from
 * postgres.js), measured side by side in one run against the private cluster and printed as ratios.
 * Timings are reported, never asserted.
 *
 * Run with `./dev bench` (or `deno run -A bench/main.ts` with the cluster running); see README.md.
 *
 * @module
 */

import postgres from "postgres";
import { databaseUrl } from "../tests/harness.ts";
import { printTable } from "./table.ts";
import { FIVE_FIELDS, PER_CALL_CASES, type PerCallCase, SETUP } from "./functions.ts";

/** The database the benchmarks create their functions in (created when missing). */
const BENCH_DATABASE = "stopgap_bench";
/** Each measurement runs this many times after one warm-up run, alternating with its baseline; medians are reported. */
const REPEATS = 5;
/** Server-side loops: large enough that one query's round trip is noise. */
const SERVER_CALLS = 100_000;
/** Fewer calls for the heavier cases (a query per call, a compile per call). */
const QUERY_CALLS = 20_000;
const COMPILE_CALLS = 50;
/** Rows of the set-returning case: a million, as a generator's throughput is what it measures. */
const SET_ROWS = 1_000_000;
/** Rows of the trigger cases' INSERT. */
const TRIGGER_ROWS = 100_000;
/** The recursion case: calls of a function that recurses this deep through SQL. */
const RECURSION_DEPTH = 50;
const RECURSIONS = 400;
/** Client round trips and fresh backends. */
const ROUND_TRIPS = 300;
const FRESH_BACKENDS = 15;

/** One comparison: the plts case and the baseline a user would compare it with. */
interface Pair {
  name: string;
  unit: string;
  plts: (sql: postgres.Sql) => Promise<number>;
  baselineName: string;
  baseline: ((sql: postgres.Sql) => Promise<number>) | null;
  target: string;
}

/** A 300-line TypeScript module for the compile case: types, a class, generics, async code. */
function module300(): string {
  const lines = [
    "interface Item { id: number; name: string; price: number; tags: string[] }",
    "type Ctx = { args: { items: Item[] } };",
  ];
  for (let i = 0; lines.length < 290; i++) {
    lines.push(
      `export function rule${i}<T extends Item>(item: T, factor: number = ${i + 1}): T {`,
      `  const price: number = Math.round(item.price * factor * 100) / 100;`,
      `  const tags: string[] = [...item.tags, "rule${i}"];`,
      `  return { ...item, price, tags } as T;`,
      `}`,
      `class Stage${i} { constructor(private readonly weight: number) {} apply(x: number): number { return x * this.weight; } }`,
      `export const stage${i}: Stage${i} = new Stage${i}(${i});`,
    );
  }
  lines.push(
    "export default async (ctx: Ctx) => {",
    "  let total = 0;",
    "  for (const item of ctx.args.items) total += rule0(item).price;",
    "  return { total: await Promise.resolve(total) };",
    "};",
  );
  return lines.join("\n");
}

/** A call measured in a server-side loop against its baseline call. */
function perCallPair(call: PerCallCase): Pair {
  const n = call.heavy ? QUERY_CALLS : SERVER_CALLS;
  return {
    name: call.name,
    unit: "µs/call",
    plts: (sql) => perCallInServerLoop(sql, call.plts, n),
    baselineName: call.baselineName,
    baseline: (sql) => perCallInServerLoop(sql, call.baseline, n),
    target: call.target,
  };
}

/** A diagnostic pair: statements in a loop inside one call of each function (`(n int) returns int`). */
function perStatementPair(
  name: string,
  plts: string,
  baselineName: string,
  baseline: string,
  n: number,
  unit = "µs/stmt",
): Pair {
  return {
    name,
    unit,
    plts: (sql) => perStatementInOneCall(sql, plts, n),
    baselineName,
    baseline: (sql) => perStatementInOneCall(sql, baseline, n),
    target: "(diagnostic)",
  };
}

const PAIRS: Pair[] = [
  ...PER_CALL_CASES.map(perCallPair),
  perStatementPair(
    "ctx.db.query by PK, per statement in one call",
    "bench_plts_read_loop",
    "PL/pgSQL SELECT INTO",
    "bench_plpgsql_read_loop",
    QUERY_CALLS,
  ),
  perStatementPair(
    "the same, PL/pgSQL with a subtransaction",
    "bench_plts_read_loop",
    "in BEGIN..EXCEPTION",
    "bench_plpgsql_read_loop_exc",
    QUERY_CALLS,
  ),
  perStatementPair(
    "ctx.db.exec UPDATE by PK, per statement",
    "bench_plts_write_loop",
    "in BEGIN..EXCEPTION",
    "bench_plpgsql_write_loop_exc",
    QUERY_CALLS / 4,
  ),
  perStatementPair(
    "a direct call of another plts function, per call",
    "bench_plts_direct_loop",
    "the same through ctx.db.query",
    "bench_plts_sql_call_loop",
    QUERY_CALLS,
    "µs/call",
  ),
  {
    name: "rows of a set: a generator vs RETURN NEXT",
    unit: "µs/row",
    plts: (sql) => perRowOfSet(sql, "bench_plts_rows", SET_ROWS),
    baselineName: "PL/pgSQL RETURN NEXT",
    baseline: (sql) => perRowOfSet(sql, "bench_plpgsql_rows", SET_ROWS),
    target: "within 2x",
  },
  {
    name: "BEFORE ROW trigger, 100,000-row INSERT",
    unit: "µs/row",
    plts: (sql) => perInsertedRow(sql, "bench_trg_plts", TRIGGER_ROWS),
    baselineName: "PL/pgSQL trigger",
    baseline: (sql) => perInsertedRow(sql, "bench_trg_plpgsql", TRIGGER_ROWS),
    target: "within 2x",
  },
  {
    name: "the same INSERT: plts trigger vs none",
    unit: "µs/row",
    plts: (sql) => perInsertedRow(sql, "bench_trg_plts", TRIGGER_ROWS),
    baselineName: "no trigger",
    baseline: (sql) => perInsertedRow(sql, "bench_trg_none", TRIGGER_ROWS),
    target: "(diagnostic)",
  },
  {
    name: `recursion through SQL, ${RECURSION_DEPTH} levels deep`,
    unit: "µs/level",
    plts: (sql) => perLevel(sql, "bench_plts_rec", RECURSION_DEPTH, RECURSIONS),
    baselineName: "PL/pgSQL, same",
    baseline: (sql) => perLevel(sql, "bench_plpgsql_rec", RECURSION_DEPTH, RECURSIONS),
    target: "within 3x",
  },
  {
    // What a client sees: each call is its own round trip and transaction, so the per-call costs
    // above sit beside the network, the parse, the commit, and caches the wait left cold.
    name: "ctx.db.query by PK, one call per round trip",
    unit: "µs/op",
    plts: (sql) => perRoundTrip(ROUND_TRIPS, (i) => sql`select bench_plts_balance(${1 + (i % 10000)})`),
    baselineName: "PL/pgSQL, same",
    baseline: (sql) => perRoundTrip(ROUND_TRIPS, (i) => sql`select bench_plpgsql_balance(${1 + (i % 10000)})`),
    target: "(diagnostic)",
  },
  {
    name: "5-query transfer in one plts call",
    unit: "µs/op",
    plts: (sql) => perRoundTrip(ROUND_TRIPS, (i) => sql`select bench_plts_transfer(${sql.json(transferArgs(i))})`),
    baselineName: "5 postgres.js round trips",
    baseline: (sql) =>
      perRoundTrip(ROUND_TRIPS, async (i) => {
        const { from, to, amount } = transferArgs(i);
        await sql`select balance from bench_accounts where id = ${from}`;
        await sql`select balance from bench_accounts where id = ${to}`;
        await sql`update bench_accounts set balance = balance - ${amount} where id = ${from}`;
        await sql`update bench_accounts set balance = balance + ${amount} where id = ${to}`;
        await sql`select sum(balance) as total from bench_accounts where id in (${from}, ${to})`;
      }),
    target: "3x faster",
  },
  {
    name: "cold start importing @stopgap/runtime",
    unit: "ms",
    plts: () => coldStart(`select bench_plts_wrapped5('${FIVE_FIELDS}'::jsonb)`),
    baselineName: "bare plts handler",
    baseline: () => coldStart(`select bench_plts_bare5('${FIVE_FIELDS}'::jsonb)`),
    target: "under 2 ms",
  },
  {
    name: "cold start using TextEncoder and crypto",
    unit: "ms",
    plts: () => coldStart("select bench_plts_web(1)"),
    baselineName: "bare plts handler",
    baseline: () => coldStart("select bench_plts_inc(1)"),
    target: "(diagnostic)",
  },
  {
    name: "cold start using Intl (NumberFormat, toLocaleDateString)",
    unit: "ms",
    plts: () => coldStart("select bench_plts_intl(1)"),
    baselineName: "bare plts handler",
    baseline: () => coldStart("select bench_plts_inc(1)"),
    target: "(diagnostic)",
  },
  {
    name: "first call in a fresh backend (cold start)",
    unit: "ms",
    plts: () => coldStart("select bench_plts_inc(1)"),
    baselineName: "PL/pgSQL",
    baseline: () => coldStart("select bench_plpgsql_inc(1)"),
    target: "under 5 ms",
  },
  {
    name: "plts.compile_ts of a 300-line module",
    unit: "ms",
    plts: (sql) => compileCost(sql),
    baselineName: "",
    baseline: null,
    target: "under 5 ms",
  },
];

function transferArgs(i: number) {
  return { from: 1 + (i % 5000), to: 5001 + (i % 5000), amount: 1 };
}

/**
 * Microseconds per evaluation of `expression` (over `i`), run `n` times in one query, minus the cost of
 * the same loop without it. `expression` is a constant of this file, never user input.
 */
async function perCallInServerLoop(sql: postgres.Sql, expression: string, n: number): Promise<number> {
  const time = async (select: string) => {
    const start = performance.now();
    await sql.unsafe(`select count(${select}) from generate_series(1, $1::int) i`, [n]);
    return performance.now() - start;
  };
  const loopOnly = await time("i");
  const withCalls = await time(expression);
  return ((withCalls - loopOnly) / n) * 1000;
}

/** Microseconds per row of `select count(*) from fn(n)`, a set-returning function of `n` rows. */
async function perRowOfSet(sql: postgres.Sql, fn: string, n: number): Promise<number> {
  const start = performance.now();
  await sql.unsafe(`select count(*) from ${fn}($1::int)`, [n]);
  return ((performance.now() - start) / n) * 1000;
}

/**
 * Microseconds per level of `fn(depth)`, a function that calls itself through SQL down to
 * `fn(0)`: `n` calls in one query, minus the same query calling `fn(0)`, over `n * depth` levels.
 */
async function perLevel(sql: postgres.Sql, fn: string, depth: number, n: number): Promise<number> {
  const time = async (levels: number) => {
    const start = performance.now();
    await sql.unsafe(`select count(${fn}($1::int)) from generate_series(1, $2::int)`, [levels, n]);
    return performance.now() - start;
  };
  const leaves = await time(0);
  const deep = await time(depth);
  return ((deep - leaves) / (n * depth)) * 1000;
}

/** Microseconds per row of an `n`-row INSERT into `table`, in a transaction that is rolled back. */
async function perInsertedRow(sql: postgres.Sql, table: string, n: number): Promise<number> {
  const rollback = new Error("rollback"); // thrown out of begin() to end the transaction with a ROLLBACK
  let elapsed = 0;
  try {
    await sql.begin(async (tx) => {
      const start = performance.now();
      await tx.unsafe(`insert into ${table} select g, 'item ' || g, g from generate_series(1, $1::int) g`, [n]);
      elapsed = performance.now() - start;
      throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  return (elapsed / n) * 1000;
}

/**
 * Microseconds per statement of `fn(n)`, a function that runs one statement `n` times, in a transaction
 * that is rolled back (the write loops leave no trace). `fn` is a constant of this file.
 */
async function perStatementInOneCall(sql: postgres.Sql, fn: string, n: number): Promise<number> {
  const rollback = new Error("rollback"); // thrown out of begin() to end the transaction with a ROLLBACK
  let elapsed = 0;
  try {
    await sql.begin(async (tx) => {
      const start = performance.now();
      await tx.unsafe(`select ${fn}($1::int)`, [n]);
      elapsed = performance.now() - start;
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  return (elapsed / n) * 1000;
}

/** Microseconds per client-side operation, `n` operations in sequence. */
async function perRoundTrip(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return ((performance.now() - start) / n) * 1000;
}

/**
 * Milliseconds the first call of a function costs in a brand-new backend (server-side, from
 * EXPLAIN ANALYZE's execution time: no connection setup, no round trip). Loading the extension's
 * library, creating the engine and compiling the function are all in it.
 */
async function coldStart(query: string): Promise<number> {
  const url = new URL(databaseUrl());
  url.pathname = `/${BENCH_DATABASE}`;
  const times: number[] = [];
  for (let i = 0; i < FRESH_BACKENDS; i++) {
    const fresh = postgres(url.href, { max: 1, onnotice: () => {} });
    try {
      const [row] = await fresh.unsafe(`explain (analyze, format json, timing off, summary on) ${query}`);
      times.push(row["QUERY PLAN"][0]["Execution Time"]);
    } finally {
      await fresh.end();
    }
  }
  return medianOf(times);
}

/** Milliseconds per plts.compile_ts of the 300-line module, in a server-side loop. */
async function compileCost(sql: postgres.Sql): Promise<number> {
  const source = module300();
  const start = performance.now();
  // `|| repeat(' ', i % 2)` keeps the planner from folding the immutable call into one.
  await sql.unsafe(
    `select count(c.compiled_js) from generate_series(1, $2::int) i,
       lateral plts.compile_ts($1 || repeat(' ', i % 2)) c`,
    [source, COMPILE_CALLS],
  );
  return (performance.now() - start) / COMPILE_CALLS;
}

async function ensureDatabase(url: string): Promise<string> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${BENCH_DATABASE}`;
    if (rows.length === 0) await admin.unsafe(`create database ${BENCH_DATABASE}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${BENCH_DATABASE}`;
  return target.href;
}

async function main(): Promise<void> {
  const url = await ensureDatabase(databaseUrl());
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const statement of SETUP) await sql.unsafe(statement);
    const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    const rows: string[][] = [["case", "plts", "baseline", "baseline value", "ratio", "target"]];
    for (const pair of PAIRS) {
      const { plts, baseline, ratio } = await measurePair(pair, sql);
      rows.push([
        pair.name,
        `${plts.toFixed(3)} ${pair.unit}`,
        pair.baselineName || "-",
        baseline === null ? "-" : `${baseline.toFixed(3)} ${pair.unit}`,
        ratio === null ? "-" : describeRatio(ratio),
        pair.target,
      ]);
    }
    console.log(`PostgreSQL ${version} at ${sql.options.host[0]}:${sql.options.port[0]}, median of ${REPEATS} runs\n`);
    printTable(rows);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Medians of plts, of the baseline, and of their ratio per round. The two are measured alternately
 * (plts, baseline, plts, ...), so a shared VM whose speed drifts during the run moves both sides of each
 * round alike; the ratio is the median of the rounds' ratios.
 */
async function measurePair(
  pair: Pair,
  sql: postgres.Sql,
): Promise<{ plts: number; baseline: number | null; ratio: number | null }> {
  await pair.plts(sql); // warm-up: plan caches, first-call compilation
  if (pair.baseline) await pair.baseline(sql);
  const plts: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    plts.push(await pair.plts(sql));
    if (pair.baseline) baseline.push(await pair.baseline(sql));
  }
  if (!pair.baseline) return { plts: medianOf(plts), baseline: null, ratio: null };
  return {
    plts: medianOf(plts),
    baseline: medianOf(baseline),
    ratio: medianOf(plts.map((p, i) => p / baseline[i])),
  };
}

/** `2.1x slower` / `3.4x faster`: plts time over baseline time. */
function describeRatio(ratio: number): string {
  return ratio >= 1 ? `${ratio.toFixed(2)}x slower` : `${(1 / ratio).toFixed(2)}x faster`;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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
    console.error(
      `hint: start the private cluster with "./dev db start" and install the extensions with "./dev build"`,
    );
    Deno.exit(1);
  }
}
