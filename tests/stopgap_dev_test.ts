/**
 * The `dev` API in this process against the private cluster: what a stop or a change does at each
 * point of a cycle. The points are reached through `onPhase`, so no test depends on timing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type postgres from "postgres";
import { dev, type DevCycle, type DevOptions } from "../api/dev.ts";
import { rollback } from "../api/environments.ts";
import { ok, tempProject } from "./_cli.ts";
import { withDatabase } from "./harness.ts";

async function greeting(sql: postgres.Sql): Promise<string> {
  const [{ result }] = await sql`select stopgap.call_fn('dev', 'hello', ${sql.json({ name: "Ada" })}) as result`;
  return result.greeting;
}

function setGreeting(dir: string, word: string): void {
  const path = join(dir, "functions/hello.ts");
  Deno.writeTextFileSync(path, Deno.readTextFileSync(path).replace(/`\w+, \$\{name\}!`/, `\`${word}, \${name}!\``));
}

/**
 * Runs `dev` on a project made by `stopgap init` until `stop` aborts, or until cycle `stopAfter`
 * was reported; returns its cycles.
 */
async function runDev(
  sql: postgres.Sql,
  dir: string,
  stop: AbortController,
  options: Pick<DevOptions, "onPhase">,
  stopAfter?: number,
): Promise<DevCycle[]> {
  const cycles: DevCycle[] = [];
  const onCycle = (cycle: DevCycle) => {
    cycles.push(cycle);
    if (cycle.cycle === stopAfter) stop.abort();
  };
  // A safety net, not a timing: a test that went wrong ends instead of hanging.
  const timer = setTimeout(() => stop.abort(), 300_000);
  try {
    await dev({ sql, env: "dev", root: dir, signal: stop.signal, onCycle, ...options });
  } finally {
    clearTimeout(timer);
  }
  return cycles;
}

Deno.test("a stop while the files are read rolls the cycle back: nothing is deployed and no staging schema is left", () =>
  withDatabase("dev_stop_check", async ({ sql }) => {
    await sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    const stop = new AbortController();
    const phases: string[] = [];
    const cycles = await runDev(sql, project.dir, stop, {
      onPhase: (phase) => {
        phases.push(phase);
        if (phase === "check") stop.abort();
      },
    });
    assert.deepEqual(cycles, [], "an interrupted cycle is not reported");
    assert.deepEqual(phases, ["find", "check"], "it ended at the next phase");
    const [{ count }] = await sql`select count(*)::int from stopgap.deployment`;
    assert.equal(count, 0);
    const stages = await sql`select nspname from pg_namespace where nspname like 'stopgap_stage_%'`;
    assert.equal(stages.length, 0);
  }));

Deno.test("a stop during the deploy phase lets the commit finish and reports the cycle", () =>
  withDatabase("dev_stop_deploy", async ({ sql }) => {
    await sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    const stop = new AbortController();
    const cycles = await runDev(sql, project.dir, stop, {
      onPhase: (phase) => {
        if (phase === "deploy") stop.abort();
      },
    });
    assert.deepEqual(cycles.map((c) => [c.cycle, c.status]), [[1, "deployed"]]);
    assert.match(cycles[0].result!.label!, /^dev-/);
    assert.equal(await greeting(sql), "Hello, Ada!");
  }));

Deno.test("a change while the files are read starts the cycle over; a change during the deploy phase deploys after it", () =>
  withDatabase("dev_changes", async ({ sql }) => {
    await sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    const stop = new AbortController();
    const edits: string[] = [];
    const cycles = await runDev(sql, dir, stop, {
      onPhase: (phase) => {
        // During the first check (the first cycle never finishes), then during the first deploy phase.
        if (phase === "check" && edits.length === 0) {
          setGreeting(dir, "Hi");
          edits.push("Hi");
        } else if (phase === "deploy" && edits.length === 1) {
          setGreeting(dir, "Hey");
          edits.push("Hey");
        }
      },
    }, 2);
    assert.deepEqual(cycles.map((c) => [c.cycle, c.status, c.files]), [
      [1, "deployed", ["functions/hello.ts"]],
      [2, "deployed", ["functions/hello.ts"]],
    ]);
    assert.deepEqual(cycles[1].result!.functions.map((fn) => [fn.name, fn.change]), [
      ["hello", "changed"],
      ["notes_add", "unchanged"],
      ["notes_count", "unchanged"],
    ]);
    assert.equal(await greeting(sql), "Hey, Ada!");
    // The first deployment has the edit made during its check: it was bundled from one state of the files.
    await rollback({ sql, env: "dev", to: cycles[0].result!.deploymentId! });
    assert.equal(await greeting(sql), "Hi, Ada!");
  }));

Deno.test("dev fails at once when the functions directory does not exist", async () => {
  await using project = await tempProject();
  await assert.rejects(
    // No connection is used before the directory is found.
    dev({ sql: undefined as unknown as postgres.Sql, env: "dev", root: project.dir }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, "no_functions_dir");
      assert.equal(error.message, `The functions directory "functions" does not exist`);
      return true;
    },
  );
});
