/**
 * Instructions per call, counted by valgrind's callgrind: plts against its baseline for every case of
 * `PER_CALL_CASES`, in one single-user backend on a scratch cluster. Unlike wall-clock time on a shared VM
 * (whose speed drifts 2–4x within an hour), the counts repeat to within a few instructions, so small changes
 * to the call path can be measured one at a time. Instructions are not time (cache misses and branch
 * mispredictions are not counted), so `main.ts` stays the benchmark of record; this one is the microscope.
 *
 * Run with `./dev bench --instructions` (it needs the installed extensions and valgrind; no cluster).
 *
 * @module
 */

import { PER_CALL_CASES, SETUP } from "./functions.ts";
import { printTable } from "./table.ts";

/** Calls per measured loop. The loop runs with N and 2N calls, so start-up and warm-up cancel out. */
const CALLS = 2000;
/** A loop that calls nothing: its cost per row is subtracted, as `main.ts` subtracts it. */
const LOOP_ONLY = "i";

const PG_CONFIG = Deno.env.get("PG_CONFIG") ?? "/usr/lib/postgresql/15/bin/pg_config";

async function output(command: string, args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const result = await child.output();
  const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  if (!result.success) throw new Error(`${command} ${args.join(" ")} failed:\n${text}`);
  return text;
}

/** initdb and postgres refuse root: run them as `postgres` when we are root. */
function asServerUser(command: string[]): [string, string[]] {
  return Deno.uid() === 0 ? ["runuser", ["-u", "postgres", "--", ...command]] : [command[0], command.slice(1)];
}

/** Statements for a single-user backend started with `-j`: each ends with a semicolon and an empty line. */
function script(statements: string[]): string {
  return statements.map((s) => `${s.trim()};\n\n`).join("");
}

function loop(call: string, n: number): string {
  return `select count(${call}) from generate_series(1, ${n}) i`;
}

/** The `totals:` (or `summary:`) line of one callgrind dump: instructions executed. */
async function instructionsIn(file: string): Promise<number> {
  const text = await Deno.readTextFile(file);
  const match = text.match(/^(?:totals|summary):\s+(\d+)/m);
  if (!match) throw new Error(`no totals in ${file}`);
  return Number(match[1]);
}

async function main(): Promise<void> {
  const bin = (await output(PG_CONFIG, ["--bindir"])).trim();
  const dir = await Deno.makeTempDir({ prefix: "stopgap-callgrind-" });
  await Deno.chmod(dir, 0o777);
  try {
    const data = `${dir}/data`;
    await output(...asServerUser([`${bin}/initdb`, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]));
    const backend = [`${bin}/postgres`, "--single", "-j", "-D", data, "-c", "jit=off", "postgres"];
    await output(...asServerUser(backend), script(SETUP));

    // One backend runs every loop; callgrind writes one dump after each statement (exec_simple_query is static, so invisible in a stripped binary).
    const calls = [LOOP_ONLY, ...PER_CALL_CASES.flatMap((c) => [c.plts, c.baseline])];
    const statements = calls.flatMap((call) => [loop(call, 100), loop(call, CALLS), loop(call, 2 * CALLS)]);
    const valgrind = [
      "valgrind",
      "--tool=callgrind",
      "--dump-after=PortalRun",
      `--callgrind-out-file=${dir}/cg`,
    ];
    console.error(`counting instructions of ${calls.length} calls under callgrind (a minute or two) ...`);
    await output(...asServerUser([...valgrind, ...backend]), script(statements));

    const dumps = [...Deno.readDirSync(dir)]
      .map((entry) => entry.name.match(/^cg\.(\d+)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    if (dumps.length !== statements.length) {
      throw new Error(`expected ${statements.length} callgrind dumps, found ${dumps.length}`);
    }
    const totals = await Promise.all(dumps.map((n) => instructionsIn(`${dir}/cg.${n}`)));
    // The extra N calls of the 2N loop, per call.
    const perRow = (index: number) => (totals[3 * index + 2] - totals[3 * index + 1]) / CALLS;
    const loopOnly = perRow(0);
    const perCall = (call: string) => perRow(calls.indexOf(call)) - loopOnly;

    const rows = [["case", "plts", "baseline", "baseline instr", "ratio", "target"]];
    for (const c of PER_CALL_CASES) {
      const [plts, baseline] = [perCall(c.plts), perCall(c.baseline)];
      rows.push([
        c.name,
        `${Math.round(plts)}`,
        c.baselineName,
        `${Math.round(baseline)}`,
        `${(plts / baseline).toFixed(2)}x`,
        c.target,
      ]);
    }
    console.log(
      `instructions per call (callgrind, ${CALLS} extra calls, loop of ${
        Math.round(loopOnly)
      } instructions per row subtracted)\n`,
    );
    printTable(rows);
  } finally {
    if (!Deno.env.get("KEEP")) await Deno.remove(dir, { recursive: true });
    else console.error(dir);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`error: instruction counts failed: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
