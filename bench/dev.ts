/**
 * Benchmark: save-to-callable time of `stopgap dev` for a 10-function app. Each save changes one
 * function's result; the time runs from the write until `stopgap.call_fn` (polled on its own
 * connection) returns the new result. Also the split of each cycle into its phases, as `stopgap dev
 * --json` reports them. Timings are printed, never asserted.
 *
 * Run with `./dev deno run -A bench/dev.ts` (the cluster running; it reads `DATABASE_URL`).
 *
 * @module
 */

import { join } from "node:path";
import postgres from "postgres";
import { startStopgap } from "../tests/_cli.ts";
import { databaseUrl } from "../tests/harness.ts";

/** Functions of the app, one module each. */
const FUNCTIONS = 10;
/** Measured saves; the median is reported. */
const SAVES = 7;
/** How often the new result is looked for, in milliseconds. */
const POLL_MS = 10;

/** Function `i` of the app as it is after save `run`: a schema, a little logic, an object result. */
function source(i: number, run: number): string {
  return `import { query, v } from "@stopgap/runtime";

const Args = v.object({ items: v.array(v.object({ price: v.number(), qty: v.pipe(v.number(), v.minValue(0)) })) });

export default query(Args, ({ items }) => {
  let total = 0;
  for (const item of items) total += item.price * item.qty;
  return { fn: ${i}, run: ${run}, total };
});
`;
}

/** One line of `stopgap dev --json`, the part read here. */
interface Cycle {
  status: string;
  ms: number;
  phases: Record<string, number>;
  error: { message: string } | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const url = new URL(databaseUrl());
  const name = `bench_dev_${Date.now()}`;
  const admin = postgres(url.href, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { max: 1, onnotice: () => {} });
  const dir = await Deno.makeTempDir({ prefix: "stopgap-bench-dev-" });
  try {
    await sql`create extension stopgap cascade`;
    const init = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../cli.ts", import.meta.url).pathname, "init", dir],
      stdout: "null",
    }).output();
    if (!init.success) throw new Error("stopgap init failed");
    await Deno.remove(join(dir, "functions"), { recursive: true });
    await Deno.mkdir(join(dir, "functions"));
    for (let i = 0; i < FUNCTIONS; i++) await Deno.writeTextFile(join(dir, `functions/fn_${i}.ts`), source(i, 0));

    await using dev = startStopgap(dir, ["dev", "--env", "bench", "--json", "--db", url.href]);
    const cycle = async (): Promise<Cycle> => {
      const line = JSON.parse((await dev.waitFor("stdout", /^\{.*\}$/))[0]) as Cycle;
      if (line.status === "failed") throw new Error(`a cycle failed: ${line.error?.message}`);
      return line;
    };
    const first = await cycle();

    const callable: number[] = [];
    const cycles: Cycle[] = [];
    for (let run = 1; run <= SAVES; run++) {
      const i = run % FUNCTIONS;
      const args = sql.json({ items: [{ price: 2, qty: 3 }] });
      const start = performance.now();
      await Deno.writeTextFile(join(dir, `functions/fn_${i}.ts`), source(i, run));
      for (;;) {
        const [{ result }] = await sql`select stopgap.call_fn('bench', ${`fn_${i}`}, ${args}) as result`;
        if (result.run === run) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      callable.push(performance.now() - start);
      // The cycle's line comes as the commit is done; wait for it so that saves do not overlap.
      cycles.push(await cycle());
    }
    dev.kill("SIGINT");
    const status = await dev.status;
    if (status.code !== 0) throw new Error(`stopgap dev exited ${status.code}`);

    const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
    console.log(
      `PostgreSQL ${version}, ${FUNCTIONS} functions (one module each), median of ${SAVES} saves, ` +
        `${navigator.hardwareConcurrency} CPUs, load average ${load}\n`,
    );
    console.log(`save to callable (call_fn returns the new result)  ${median(callable).toFixed(0).padStart(6)} ms`);
    console.log(
      `save to committed (stopgap dev's own measure)      ${median(cycles.map((c) => c.ms)).toFixed(0).padStart(6)} ms`,
    );
    console.log(`first deploy at start                              ${first.ms.toFixed(0).padStart(6)} ms\n`);
    console.log("phase       median ms");
    for (const phase of Object.keys(cycles[0].phases)) {
      console.log(`${phase.padEnd(10)} ${median(cycles.map((c) => c.phases[phase] ?? 0)).toFixed(0).padStart(10)}`);
    }
    console.log(`\nall saves, save to callable (ms): ${callable.map((ms) => ms.toFixed(0)).join(", ")}`);
  } finally {
    await sql.end({ timeout: 5 });
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end({ timeout: 5 });
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`error: dev benchmark failed: ${error instanceof Error ? error.message : error}`);
    console.error(`hint: start the private cluster with "./dev db start", and install stopgap`);
    Deno.exit(1);
  }
}
