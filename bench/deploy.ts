/**
 * Benchmark: `stopgap.deploy` of 100 functions into a fresh database on the private cluster,
 * total and per function; also a rollback of the same size. Timings are printed, never asserted.
 *
 * Run with `./dev deno run -A bench/deploy.ts` (the cluster running; it reads `DATABASE_URL`).
 * Each run changes every function's body, so every deploy compiles and stores 100 new artifacts
 * and rewrites 100 live stubs: the worst case of a real deploy.
 *
 * @module
 */

import postgres from "postgres";
import { databaseUrl } from "../tests/harness.ts";

/** Functions per deploy. */
const FUNCTIONS = 100;
/** Measured deploys after one warm-up deploy; the median is reported. */
const REPEATS = 5;

/** A realistic small handler: validation, a loop, an object result. */
function source(i: number, run: number): string {
  return `
interface Args { items: { price: number; qty: number }[]; coupon?: string }
export default (ctx: { args: Args }) => {
  const items = ctx.args.items ?? [];
  let total = 0;
  for (const item of items) {
    if (item.qty < 0) throw new RangeError("qty must not be negative");
    total += item.price * item.qty;
  }
  const discount = ctx.args.coupon === "RUN${run}" ? 0.1 : 0;
  return { fn: ${i}, run: ${run}, total: total * (1 - discount) };
};`;
}

async function writeFunctions(sql: postgres.Sql, run: number): Promise<void> {
  const statements = Array.from(
    { length: FUNCTIONS },
    (_, i) =>
      `create or replace function bench_src.fn_${i}(args jsonb) returns jsonb language plts as $body$${
        source(i, run)
      }$body$;`,
  );
  await sql.unsafe(statements.join("\n"));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const url = new URL(databaseUrl());
  const name = `bench_deploy_${Date.now()}`;
  const admin = postgres(url.href, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    await sql`create extension stopgap cascade`;
    await sql`create schema bench_src`;

    const deploys: number[] = [];
    let first = 0;
    for (let run = 0; run <= REPEATS; run++) {
      await writeFunctions(sql, run);
      const ms = await timed(() => sql`select stopgap.deploy('bench', 'bench_src', ${`run-${run}`})`);
      // run 0 is the first deploy of a fresh backend and database (library load, plan caches)
      if (run === 0) first = ms;
      else deploys.push(ms);
    }
    const rollbacks: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      rollbacks.push(await timed(() => sql`select stopgap.rollback('bench')`));
    }
    const [{ calls }] =
      await sql`select stopgap.call_fn('bench', 'fn_0', '{"items": [{"price": 2, "qty": 3}]}') as calls`;
    if (calls?.fn !== 0) throw new Error(`unexpected live result ${JSON.stringify(calls)}`);

    const deploy = median(deploys);
    const rollback = median(rollbacks);
    console.log(`PostgreSQL ${version}, ${FUNCTIONS} functions, median of ${REPEATS} runs (after one warm-up)\n`);
    console.log(`operation                      total ms   ms/function`);
    console.log(
      `deploy (compile, store, stubs) ${deploy.toFixed(1).padStart(8)}   ${
        (deploy / FUNCTIONS).toFixed(2).padStart(11)
      }`,
    );
    console.log(
      `rollback (re-point stubs)      ${rollback.toFixed(1).padStart(8)}   ${
        (rollback / FUNCTIONS).toFixed(2).padStart(11)
      }`,
    );
    console.log(
      `first deploy, fresh backend    ${first.toFixed(1).padStart(8)}   ${(first / FUNCTIONS).toFixed(2).padStart(11)}`,
    );
    console.log(`\nall deploy runs (ms): ${deploys.map((d) => d.toFixed(0)).join(", ")}`);
  } finally {
    await sql.end({ timeout: 5 });
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end({ timeout: 5 });
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`error: deploy benchmark failed: ${error instanceof Error ? error.message : error}`);
    console.error(`hint: start the private cluster with "./dev db start", and install stopgap`);
    Deno.exit(1);
  }
}
