/**
 * The CLI and the typed client through pgbouncer in TRANSACTION pooling mode (a private pgbouncer,
 * tests/_pgbouncer.ts, in front of the private cluster): each transaction of one client may run on
 * another server backend, and plts's per-backend caches must still serve the active deployment.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { createClient, ValidationError } from "../mod.ts";
import { bump } from "./fixtures/typed/functions/counter.ts";
import greet from "./fixtures/typed/functions/greet.ts";
import { ok, tempProject } from "./_cli.ts";
import { startPgbouncer } from "./_pgbouncer.ts";
import { freshDatabase } from "./harness.ts";

const ROOT = new URL("../", import.meta.url);
const POOL_SIZE = 3;
/** Sequential calls per check: every backend of the pool answers several (pgbouncer hands them out in turn). */
const CALLS = 4 * POOL_SIZE;

/** A query that says which deployment and which server backend answered. */
function backendModule(version: string): string {
  return `import { query, v } from "@stopgap/runtime";

export default query(v.object({}), async (_args, ctx) => {
  const [row] = await ctx.db.query("select pg_backend_pid() as pid");
  return { version: ${JSON.stringify(version)}, pid: row.pid as number };
});
`;
}

/** `backend` of environment `dev`, as `stopgap types` would declare it. */
interface Api {
  backend: { args: Record<string, never>; result: { version: string; pid: number } };
}

type Answer = Api["backend"]["result"];

Deno.test("through pgbouncer in transaction pooling mode, the CLI and the typed client see the active deployment on every backend", async (t) => {
  await using db = await freshDatabase("pooler");
  await db.sql`create extension stopgap cascade`;
  // Declared after db, so it stops first: the database is dropped with no pooled connection left.
  await using pooler = await startPgbouncer({ poolSize: POOL_SIZE });
  const url = pooler.url(db.name);
  const pool = await pooler.fill(db.name);
  assert.equal(pool.length, POOL_SIZE, "the pool has its own server backends");

  await using project = await tempProject();
  const { dir } = project;
  await ok(dir, "init");
  const backendFile = join(dir, "functions/backend.ts");
  await Deno.writeTextFile(backendFile, backendModule("v1"));

  // The application's client: one connection to the pooler; unnamed statements, as the docs say.
  const sql = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
  try {
    const api = createClient<Api>(sql, { env: "dev" });
    /** `CALLS` sequential calls, each its own transaction. */
    const callMany = async (): Promise<Answer[]> => {
      const answers: Answer[] = [];
      for (let i = 0; i < CALLS; i++) answers.push(await api.backend({}));
      return answers;
    };
    const pids = (answers: Answer[]) => new Set(answers.map((a) => a.pid));
    const versions = (answers: Answer[]) => [...new Set(answers.map((a) => a.version))];
    let v1Pids = new Set<number>();

    await t.step("deploy through the pooler deploys the functions directory", async () => {
      const run = await ok(dir, "deploy", "--env", "dev", "--label", "v1", "--json", "--db", url);
      const result = JSON.parse(run.stdout);
      assert.equal(result.status, "deployed");
      assert.deepEqual(result.functions.map((f: { name: string }) => f.name), [
        "backend",
        "hello",
        "notes_add",
        "notes_count",
      ]);
    });

    await t.step("call through the pooler calls the active deployment", async () => {
      const run = await ok(dir, "call", "hello", "--env", "dev", "--args", '{"name":"Ada"}', "--json", "--db", url);
      assert.deepEqual(JSON.parse(run.stdout), { greeting: "Hello, Ada!" });
      const added = await ok(dir, "call", "notes_add", "--env", "dev", "--args", '{"text":"x"}', "--db", url);
      assert.deepEqual(JSON.parse(added.stdout), { id: 1 });
    });

    await t.step(
      "one client's consecutive transactions run on different backends, each serving the deployment",
      async () => {
        const answers = await callMany();
        assert.deepEqual(versions(answers), ["v1"]);
        v1Pids = pids(answers);
        assert.ok(v1Pids.size >= 2, `calls answered by backends ${[...v1Pids]}; the pool has ${pool}`);
        for (const pid of v1Pids) assert.ok(pool.includes(pid), `backend ${pid} is one of the pool's ${pool}`);
      },
    );

    await t.step("after a deploy through the pooler, every backend's next call runs the new deployment", async () => {
      await Deno.writeTextFile(backendFile, backendModule("v2"));
      const run = JSON.parse((await ok(dir, "deploy", "--env", "dev", "--label", "v2", "--json", "--db", url)).stdout);
      assert.equal(run.status, "deployed");
      const answers = await callMany();
      assert.deepEqual(versions(answers), ["v2"], "no backend runs the v1 it had cached");
      const cached = [...pids(answers)].filter((pid) => v1Pids.has(pid));
      assert.ok(cached.length >= 2, `backends that ran v1 before and v2 now: ${cached}`);
    });

    await t.step("diff through the pooler compares with the active deployment and changes nothing", async () => {
      await Deno.writeTextFile(backendFile, backendModule("v3"));
      const diff = JSON.parse((await ok(dir, "diff", "--env", "dev", "--json", "--db", url)).stdout);
      assert.equal(diff.status, "dry_run");
      assert.deepEqual(diff.functions.map((f: { name: string; change: string }) => [f.name, f.change]), [
        ["backend", "changed"],
        ["hello", "unchanged"],
        ["notes_add", "unchanged"],
        ["notes_count", "unchanged"],
      ]);
      assert.deepEqual(versions(await callMany()), ["v2"]);
      const stages = await db.sql`select nspname from pg_namespace where nspname like 'stopgap_stage_%'`;
      assert.equal(stages.length, 0, "the dry run's staging schema was rolled back");
      await Deno.writeTextFile(backendFile, backendModule("v2"));
    });

    await t.step("status through the pooler shows the active deployment and its functions", async () => {
      const [status] = JSON.parse((await ok(dir, "status", "--json", "--db", url)).stdout).environments;
      assert.equal(status.activeLabel, "v2");
      assert.equal(status.deploymentCount, 2);
      assert.deepEqual(status.functions.map((f: { name: string }) => f.name), [
        "backend",
        "hello",
        "notes_add",
        "notes_count",
      ]);
    });

    await t.step("types through the pooler declares the active deployment's functions", async () => {
      const out = join(dir, "api.d.ts");
      const run = JSON.parse((await ok(dir, "types", "--env", "dev", "--out", out, "--json", "--db", url)).stdout);
      assert.equal(run.label, "v2");
      assert.deepEqual(run.functions.map((f: { name: string; typed: boolean }) => [f.name, f.typed]), [
        ["backend", true],
        ["hello", true],
        ["notes_add", true],
        ["notes_count", true],
      ]);
      assert.match(await Deno.readTextFile(out), /^ {2}backend: \{$/m);
    });

    await t.step(
      "after a rollback through the pooler, every backend's next call runs the previous deployment",
      async () => {
        const back = await ok(dir, "rollback", "--env", "dev", "--db", url);
        assert.match(back.stdout, /^Rolled back "dev" to deployment \d+ \("v1"\) \(was deployment \d+, "v2"\)\.$/m);
        const answers = await callMany();
        assert.deepEqual(versions(answers), ["v1"], "no backend runs the v2 it had cached");
        assert.ok(pids(answers).size >= 2, `calls answered by backends ${[...pids(answers)]}`);
      },
    );

    await t.step("the CLI leaves no prepared statements on the pooled backends", async () => {
      const seen = new Map<number, number>();
      for (let i = 0; i < CALLS; i++) {
        const [row] =
          await sql`select pg_backend_pid() as pid, (select count(*) from pg_prepared_statements)::int as n`;
        seen.set(row.pid, row.n);
      }
      assert.ok(seen.size >= 2, `backends checked: ${[...seen.keys()]}`);
      assert.deepEqual([...seen.values()].filter((n) => n !== 0), [], `prepared statements per backend: ${[...seen]}`);
    });

    await t.step(
      "the typed client with the function modules validates client-side and calls through the pooler",
      async () => {
        await ok(ROOT, "deploy", "--env", "typed", "--dir", "tests/fixtures/typed/functions", "--db", url);
        const typed = createClient(sql, { env: "typed", functions: { greet, counter_bump: bump } });
        assert.deepEqual(await typed.greet({ name: "ada" }), { greeting: "hello ada" });
        await assert.rejects(() => typed.greet({ name: "" }), ValidationError);
        // Each mutation commits on whichever backend ran it; the next one, elsewhere, sees it.
        const totals = [];
        for (let i = 0; i < CALLS; i++) totals.push((await typed.counter_bump({ by: 1 })).total);
        assert.deepEqual(totals, Array.from({ length: CALLS }, (_, i) => i + 1));
      },
    );

    await t.step(
      "a postgres.js client with prepared statements (its default) fails in a transaction: why the docs say prepare: false",
      async () => {
        const prepared = postgres(url, { max: 1, onnotice: () => {} });
        try {
          const statement = (s: postgres.Sql | postgres.TransactionSql) => s`select ${"dev"}::text as env`;
          await statement(prepared);
          // The next transaction gets another backend, which does not know the statement's name.
          await assert.rejects(
            () => prepared.begin((tx) => statement(tx)),
            (error: Error & { code?: string }) => error.code === "26000",
          );
        } finally {
          await prepared.end();
        }
      },
    );
  } finally {
    await sql.end();
  }
});
