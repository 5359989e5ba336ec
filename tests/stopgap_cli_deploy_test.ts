/**
 * The stopgap CLI end to end, as a subprocess against the private cluster: init → deploy → call →
 * change → deploy → diff → rollback → status, in both output modes; dry runs; exit codes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type postgres from "postgres";
import { ok, type Run, stopgapIn, tempProject } from "./_cli.ts";
import { withDatabase } from "./harness.ts";

async function setHelloGreeting(dir: string, word: string): Promise<void> {
  const path = join(dir, "functions/hello.ts");
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.replace(/`\w+, \$\{name\}!`/, `\`${word}, \${name}!\``));
}

Deno.test("init, deploy, call, change, deploy, diff, rollback, status: each call sees the active deployment", () =>
  withDatabase("cli_flow", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;

    const init = await ok(dir, "init", "--json");
    assert.deepEqual(JSON.parse(init.stdout).created, ["deno.json", "functions/hello.ts", "functions/notes.ts"]);

    const v1 = await ok(dir, "deploy", "--env", "dev", "--label", "v1", "--db", db.url);
    assert.match(v1.stdout, /^Deployed 3 functions from directory functions to "dev" as deployment \d+ \("v1"\)\./);
    assert.match(v1.stdout, /^ {2}hello +query +added +functions\/hello\.ts#default$/m);
    assert.match(v1.stdout, /^ {2}notes_add +mutation +added +functions\/notes\.ts#add$/m);
    assert.match(v1.stderr, /^check +2 modules$/m, "progress of each phase on stderr");

    const call = (args: string) => ok(dir, "call", "hello", "--env", "dev", "--args", args, "--db", db.url, "--json");
    assert.deepEqual(JSON.parse((await call('{"name":"Ada"}')).stdout), { greeting: "Hello, Ada!" });
    const added = await ok(dir, "call", "notes_add", "--env", "dev", "--args", '{"text":"x"}', "--db", db.url);
    assert.deepEqual(JSON.parse(added.stdout), { id: 1 });

    await setHelloGreeting(dir, "Hi");
    const diff = JSON.parse((await ok(dir, "diff", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.equal(diff.status, "dry_run");
    assert.deepEqual(diff.functions.map((f: { name: string; change: string }) => [f.name, f.change]), [
      ["hello", "changed"],
      ["notes_add", "unchanged"],
      ["notes_count", "unchanged"],
    ]);
    assert.deepEqual(
      JSON.parse((await call('{"name":"Ada"}')).stdout),
      { greeting: "Hello, Ada!" },
      "diff changes nothing",
    );

    const v2 = JSON.parse((await ok(dir, "deploy", "--env", "dev", "--label", "v2", "--json", "--db", db.url)).stdout);
    assert.equal(v2.status, "deployed");
    assert.equal(v2.label, "v2");
    assert.deepEqual(JSON.parse((await call('{"name":"Ada"}')).stdout), { greeting: "Hi, Ada!" });

    const again = JSON.parse((await ok(dir, "deploy", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.equal(again.status, "unchanged");
    assert.equal(again.deploymentId, v2.deploymentId);

    const back = await ok(dir, "rollback", "--env", "dev", "--db", db.url);
    assert.match(back.stdout, /^Rolled back "dev" to deployment \d+ \("v1"\) \(was deployment \d+, "v2"\)\.$/m);
    assert.deepEqual(JSON.parse((await call('{"name":"Ada"}')).stdout), { greeting: "Hello, Ada!" });

    const human = await ok(dir, "status", "--env", "dev", "--db", db.url);
    assert.match(human.stdout, /^dev: deployment \d+ \("v1"\) since /m);
    assert.match(human.stdout, /^ {4}notes_count +query +sha256:[0-9a-f]{64}$/m);
    const [status] = JSON.parse((await ok(dir, "status", "--json", "--db", db.url)).stdout).environments;
    assert.equal(status.env, "dev");
    assert.equal(status.activeLabel, "v1");
    assert.equal(status.liveSchema, "live_dev");
    assert.equal(status.deploymentCount, 2);
    assert.deepEqual(status.functions.map((f: { name: string; kind: string }) => [f.name, f.kind]), [
      ["hello", "query"],
      ["notes_add", "mutation"],
      ["notes_count", "query"],
    ]);

    const list = JSON.parse((await ok(dir, "deployments", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.deepEqual(list.deployments.map((d: { label: string; status: string }) => [d.label, d.status]), [
      ["v2", "rolled_back"],
      ["v1", "active"],
    ]);
    const table = await ok(dir, "deployments", "--env", "dev", "--db", db.url);
    assert.match(table.stdout, /^id +label +status +functions +created +by +note$/m);

    const stages = await db.sql`select nspname from pg_namespace where nspname like 'stopgap_stage_%'`;
    assert.equal(stages.length, 0, "staging schemas are dropped");
  }));

/** Waits until `count` backends of database `name` other than `except` wait for an advisory lock; fails after ~60 s. */
async function waitForLockWaiters(sql: postgres.Sql, name: string, except: number, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [{ waiting }] = await sql`select count(*)::int as waiting from pg_stat_activity
      where datname = ${name} and pid <> ${except} and wait_event_type = 'Lock' and wait_event = 'advisory'`;
    if (waiting === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${count} deploys never waited for the environment lock together`);
}

Deno.test("two concurrent deploys of identical code: one deploys, the other reports unchanged and the serving id", () =>
  withDatabase("cli_concurrent", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    const v1 = JSON.parse((await ok(dir, "deploy", "--env", "dev", "--label", "v1", "--json", "--db", db.url)).stdout);
    await setHelloGreeting(dir, "Hi");

    // Holding the environment lock makes both deploys wait for it at the same point, so neither has
    // committed when the other decides what it does.
    const holder = await db.sql.reserve();
    let runs: Run[];
    try {
      const [{ pid }] = await holder`select pg_backend_pid() as pid`;
      await holder`begin`;
      await holder`select pg_advisory_xact_lock(1398032208, hashtext('dev'))`;
      const pending = ["a", "b"].map((label) =>
        stopgapIn(dir, ["deploy", "--env", "dev", "--label", label, "--db", db.url])
      );
      await waitForLockWaiters(db.sql, db.name, pid, 2);
      await holder`commit`;
      runs = await Promise.all(pending);
    } finally {
      holder.release();
    }

    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const deployedPattern = new RegExp(
      `^Deployed 3 functions from directory functions to "dev" as deployment (\\d+) \\("(a|b)"\\), ` +
        `replacing deployment ${v1.deploymentId}\\.$`,
      "m",
    );
    const deployed = runs.filter((run) => deployedPattern.test(run.stdout));
    assert.equal(deployed.length, 1, runs.map((run) => run.stdout).join("\n---\n"));
    const [, id, label] = deployedPattern.exec(deployed[0].stdout)!;
    assert.match(deployed[0].stdout, /^ {2}hello +query +changed +functions\/hello\.ts#default$/m);

    const other = runs.find((run) => run !== deployed[0])!;
    const otherLabel = label === "a" ? "b" : "a";
    assert.match(
      other.stdout,
      new RegExp(
        `^Nothing to deploy: "dev" already runs these 3 functions \\(deployment ${id}\\); ` +
          `label "${otherLabel}" was not used\\.$`,
        "m",
      ),
    );
    assert.match(other.stdout, /^ {2}hello +query +unchanged +functions\/hello\.ts#default$/m);
    assert.doesNotMatch(other.stdout, / (added|changed) /);

    const rows = await db.sql`select id, label, status from stopgap.deployments('dev')`;
    assert.deepEqual(rows.map((r) => [Number(r.id), r.label, r.status]), [
      [Number(id), label, "active"],
      [v1.deploymentId, "v1", "superseded"],
    ]);
    const [{ active }] = await db.sql`select active_deployment_id as active from stopgap.environment where env = 'dev'`;
    assert.equal(Number(active), Number(id));
  }));

Deno.test("deploy --dry-run on a new environment lists every function as added and creates nothing", () =>
  withDatabase("cli_dry", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    const run = await ok(project.dir, "deploy", "--env", "dev", "--dry-run", "--db", db.url);
    assert.match(run.stdout, /^Dry run: deploying directory functions to "dev" would change 3 functions/);
    assert.match(run.stdout, /Nothing was changed\.$/m);
    const status = JSON.parse((await ok(project.dir, "status", "--json", "--db", db.url)).stdout);
    assert.deepEqual(status, { environments: [] });
    const [counts] = await db.sql`select
      (select count(*)::int from pg_namespace where nspname like 'stopgap_stage_%') as stages,
      (select count(*)::int from plts.artifact) as artifacts`;
    assert.deepEqual({ ...counts }, { stages: 0, artifacts: 0 });
  }));

Deno.test("deploy --json has the documented schema", () =>
  withDatabase("cli_json", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    const run = await ok(project.dir, "deploy", "--env", "dev", "--label", "v1", "--json", "--db", db.url);
    assert.equal(run.stderr, "", "no progress lines in JSON mode");
    const result = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(result).sort(), [
      "checks",
      "deploymentId",
      "env",
      "functions",
      "label",
      "previousDeploymentId",
      "pruned",
      "source",
      "status",
      "warnings",
    ]);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.checks, [], "no checks without --check");
    assert.equal(typeof result.deploymentId, "number");
    assert.equal(result.previousDeploymentId, null);
    assert.deepEqual(result.source, { dir: "functions" });
    assert.deepEqual(result.functions[0], {
      name: "hello",
      kind: "query",
      source: "functions/hello.ts#default",
      change: "added",
    });

    await Deno.remove(join(project.dir, "functions/notes.ts"));
    const pruned = JSON.parse(
      (await ok(project.dir, "deploy", "--env", "dev", "--label", "v2", "--prune", "--json", "--db", db.url)).stdout,
    );
    assert.deepEqual(pruned.functions.map((f: { name: string; change: string }) => [f.name, f.change]), [
      ["hello", "unchanged"],
      ["notes_add", "removed"],
      ["notes_count", "removed"],
    ]);
    assert.deepEqual(pruned.pruned, [
      { name: "notes_add", action: "dropped", reason: null },
      { name: "notes_count", action: "dropped", reason: null },
    ]);
    const rollback = JSON.parse((await ok(project.dir, "rollback", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.deepEqual(rollback, {
      env: "dev",
      status: "rolled_back",
      deploymentId: result.deploymentId,
      label: "v1",
      previousDeploymentId: pruned.deploymentId,
      previousLabel: "v2",
    });
  }));

Deno.test("deploy and diff warn on stderr about a function that uses setTimeout, deploy it, and --json has the warning", () =>
  withDatabase("cli_warnings", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    await Deno.writeTextFile(
      join(project.dir, "functions/later.ts"),
      `import { mutation, v } from "@stopgap/runtime";

export default mutation(v.object({}), async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return typeof fetch === "function";
});
`,
    );
    const warning = "warning: function later (functions/later.ts#default) uses setTimeout at " +
      "functions/later.ts:4:34, which plts does not have: a call runs inside a transaction and returns before " +
      "any timer could fire";
    const run = await ok(project.dir, "deploy", "--env", "dev", "--db", db.url);
    assert.match(run.stdout, /^Deployed 4 functions /);
    assert.deepEqual(run.stderr.split("\n").filter((l) => l.startsWith("warning:")), [warning]);

    const diff = await ok(project.dir, "diff", "--env", "dev", "--json", "--db", db.url);
    assert.deepEqual(JSON.parse(diff.stdout).warnings, [{
      function: "later",
      global: "setTimeout",
      location: "functions/later.ts:4:34",
      message: warning.slice("warning: ".length),
    }]);
    assert.deepEqual(diff.stderr.split("\n").filter((l) => l.startsWith("warning:")), [warning]);
  }));

Deno.test("deploy --from-schema deploys an existing schema", () =>
  withDatabase("cli_schema", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await db.sql`create schema app`;
    await db.sql.unsafe(`create function app.answer(args jsonb) returns jsonb language plts stable as $$
      export default () => 42;
    $$`);
    const run = JSON.parse(
      (await ok(".", "deploy", "--env", "prod", "--from-schema", "app", "--json", "--db", db.url))
        .stdout,
    );
    assert.deepEqual(run.source, { schema: "app" });
    assert.deepEqual(run.functions, [{ name: "answer", kind: "query", source: null, change: "added" }]);
    const call = await ok(".", "call", "answer", "--env", "prod", "--db", db.url);
    assert.equal(call.stdout.trim(), "42");
  }));

Deno.test("deploy --from-schema loads each function first: one that throws at load fails the deploy, which commits nothing", () =>
  withDatabase("cli_schema_load", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await db.sql`create schema app`;
    await db.sql.unsafe(`create function app.answer(args jsonb) returns jsonb language plts stable as $$
      export default () => 42;
    $$`);
    await db.sql.unsafe(`create function app.broken(args jsonb) returns jsonb language plts as $$
      const table = JSON.parse("{not json");
      export default () => table;
    $$`);
    const run = await stopgapIn(".", ["deploy", "--env", "prod", "--from-schema", "app", "--db", db.url]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error: SyntaxError: .*\(in function app\.broken\)/m);
    assert.match(run.stderr, /at <anonymous> \(app\.broken:2:\d+\)/);
    const [{ environments }] = await db.sql`select count(*)::int as environments from stopgap.environment`;
    assert.equal(environments, 0, "nothing was committed");
  }));

Deno.test("usage errors exit 2 and say what is missing", async () => {
  const missingEnv = await stopgapIn(".", ["deploy"]);
  assert.equal(missingEnv.code, 2);
  assert.match(missingEnv.stderr, /Missing --env <name>/);
  assert.match(missingEnv.stderr, /Usage: stopgap deploy/);

  const both = await stopgapIn(".", ["deploy", "--env", "dev", "--dir", "x", "--from-schema", "y"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Pass --dir or --from-schema, not both/);

  const badEnv = await stopgapIn(".", ["status", "--env", "Prod!"]);
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /Invalid environment name "Prod!"/);

  const badArgs = await stopgapIn(".", ["call", "f", "--env", "dev", "--args", "{nope"]);
  assert.equal(badArgs.code, 2);
  assert.match(badArgs.stderr, /--args is not valid JSON/);

  const steps = await stopgapIn(".", ["rollback", "--env", "dev", "--steps", "0"]);
  assert.equal(steps.code, 2);
  assert.match(steps.stderr, /--steps must be a positive integer, got "0"/);
});

Deno.test("deploy exits 3 when PostgreSQL cannot be reached, and prints a JSON error with --json", async () => {
  const run = await stopgapIn(".", ["deploy", "--env", "dev", "--json", "--db", "postgres://postgres@127.0.0.1:1/x"]);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /Cannot connect to PostgreSQL at 127\.0\.0\.1:1\b/);
  const report = JSON.parse(run.stdout);
  assert.equal(report.error.exitCode, 3);
  assert.match(report.error.hint, /\.\/dev db start/);
});

Deno.test("a server error exits 1 with the SQLSTATE and what to do next", () =>
  withDatabase("cli_fail", async (db) => {
    await db.sql`create extension stopgap cascade`;
    const run = await stopgapIn(".", ["rollback", "--env", "dev", "--db", db.url]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /error: .*SQLSTATE/);
    const status = await stopgapIn(".", ["status", "--env", "nope", "--db", db.url]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /environment "nope" does not exist \(SQLSTATE 42704\)/);
    assert.doesNotMatch(status.stderr, /function stopgap\./, "stopgap's own functions are not the user's context");
  }));

Deno.test("a TypeScript error exits 1 with file:line:column and nothing is deployed", () =>
  withDatabase("cli_tserror", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    await Deno.writeTextFile(
      join(project.dir, "functions/broken.ts"),
      `import { query, v } from "@stopgap/runtime";\n\nexport default query(v.object({}), () => {\n  const n: number = "one";\n  return n;\n});\n`,
    );
    const run = await stopgapIn(project.dir, ["deploy", "--env", "dev", "--db", db.url]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /functions\/broken\.ts:4:9: TS2322 Type 'string' is not assignable to type 'number'/);
    assert.match(run.stderr, /hint: Fix the errors above/);
    const json = await stopgapIn(project.dir, ["deploy", "--env", "dev", "--json", "--db", db.url]);
    const report = JSON.parse(json.stdout);
    assert.equal(report.error.code, "type_error");
    assert.deepEqual(report.error.diagnostics[0], {
      file: "functions/broken.ts",
      line: 4,
      column: 9,
      code: "TS2322",
      message: "Type 'string' is not assignable to type 'number'.",
    });
    assert.equal((await db.sql`select env from stopgap.environment`).length, 0);
  }));

Deno.test("two exports with the same SQL name exit 1 naming both sources", () =>
  withDatabase("cli_collision", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    await Deno.mkdir(join(project.dir, "functions/notes"));
    await Deno.writeTextFile(
      join(project.dir, "functions/notes/add.ts"),
      `import { mutation, v } from "@stopgap/runtime";\nexport default mutation(v.object({}), () => null);\n`,
    );
    const run = await stopgapIn(project.dir, ["diff", "--env", "dev", "--json"], { DATABASE_URL: db.url });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /"notes_add" is the name of both functions\/notes\/add\.ts#default and functions\/notes\.ts#add/,
    );
    const report = JSON.parse(run.stdout);
    assert.equal(report.error.code, "name_collision");
    assert.deepEqual(report.error.collisions, [
      { name: "notes_add", sources: ["functions/notes/add.ts#default", "functions/notes.ts#add"] },
    ]);
  }));

Deno.test("a function importing an npm package (a drizzle-orm query builder passed to ctx.db.query) deploys and runs", () =>
  withDatabase("cli_drizzle", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await db.sql`create table items (id int primary key, name text not null)`;
    await db.sql`insert into items values (7, 'seven'), (8, 'eight')`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    const configPath = join(project.dir, "deno.json");
    const config = JSON.parse(await Deno.readTextFile(configPath));
    config.imports["drizzle-orm"] = "npm:drizzle-orm@0.45.4";
    config.imports["drizzle-orm/"] = "npm:/drizzle-orm@0.45.4/";
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));
    await Deno.writeTextFile(
      join(project.dir, "functions/items.ts"),
      `import { query, v } from "@stopgap/runtime";
import { eq } from "drizzle-orm";
import { integer, pgTable, QueryBuilder, text } from "drizzle-orm/pg-core";

const items = pgTable("items", { id: integer("id").primaryKey(), name: text("name").notNull() });
const qb = new QueryBuilder();

export default query(v.object({ id: v.number() }), async ({ id }, ctx) => {
  const rows = await ctx.db.query(qb.select().from(items).where(eq(items.id, id)));
  return rows[0] ?? null;
});
`,
    );
    await ok(project.dir, "deploy", "--env", "dev", "--db", db.url);
    const call = await ok(project.dir, "call", "items", "--env", "dev", "--args", '{"id": 8}', "--db", db.url);
    assert.deepEqual(JSON.parse(call.stdout), { id: 8, name: "eight" });
  }));

Deno.test("removing one export of a file changes only that export: its siblings keep their bodies and are unchanged", () =>
  withDatabase("cli_sibling", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    const path = join(project.dir, "functions/trio.ts");
    await Deno.writeTextFile(
      path,
      `import { mutation, query, v } from "@stopgap/runtime";

const Label = v.object({ label: v.pipe(v.string(), v.minLength(1)) });
const shout = (text: string) => \`\${text.toUpperCase()}!\`;

export const one = query(v.object({}), () => shout("one"));
export const three = query(v.object({}), () => "three");
export const two = mutation(Label, ({ label }) => shout(label));
`,
    );
    await ok(project.dir, "deploy", "--env", "dev", "--label", "v1", "--db", db.url);
    const hashes = async () => {
      const [env] = JSON.parse((await ok(project.dir, "status", "--json", "--db", db.url)).stdout).environments;
      return Object.fromEntries(
        env.functions.map((f: { name: string; artifactHash: string }) => [f.name, f.artifactHash]),
      );
    };
    const before = await hashes();

    // The only mutation goes; the schema only it used stays in the file, unused. (It is the last
    // line: removing a line above the others would move them, and their source maps with them.)
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.replace(/^export const two = .*\n/m, ""));
    const diff = JSON.parse((await ok(project.dir, "diff", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.deepEqual(diff.functions.map((f: { name: string; change: string }) => [f.name, f.change]), [
      ["hello", "unchanged"],
      ["notes_add", "unchanged"],
      ["notes_count", "unchanged"],
      ["trio_one", "unchanged"],
      ["trio_three", "unchanged"],
      ["trio_two", "removed"],
    ]);

    const v2 = await ok(project.dir, "deploy", "--env", "dev", "--label", "v2", "--db", db.url);
    assert.equal(
      v2.stdout,
      `Deployed 5 functions from directory functions to "dev" as deployment 2 ("v2"), replacing deployment 1.
  function     kind      change     source
  hello        query     unchanged  functions/hello.ts#default
  notes_add    mutation  unchanged  functions/notes.ts#add
  notes_count  query     unchanged  functions/notes.ts#count
  trio_one     query     unchanged  functions/trio.ts#one
  trio_three   query     unchanged  functions/trio.ts#three
  trio_two     -         removed    -
1 function of the previous deployment stays in the live schema until "stopgap prune --env dev".
`,
    );
    const after = await hashes();
    const { trio_two: _removed, ...kept } = before;
    assert.deepEqual(after, kept, "the artifacts of the other functions are the same");
    const call = await ok(project.dir, "call", "trio_one", "--env", "dev", "--json", "--db", db.url);
    assert.equal(JSON.parse(call.stdout), "ONE!");

    // A body's source map records the lines of its code: a line added above moves them.
    await Deno.writeTextFile(path, `// The trio.\n${await Deno.readTextFile(path)}`);
    const moved = JSON.parse((await ok(project.dir, "diff", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.deepEqual(moved.functions.map((f: { name: string; change: string }) => [f.name, f.change]), [
      ["hello", "unchanged"],
      ["notes_add", "unchanged"],
      ["notes_count", "unchanged"],
      ["trio_one", "changed"],
      ["trio_three", "changed"],
    ]);
  }));
