/**
 * `stopgap deploy --check <file.ts>` end to end, as a subprocess against the private cluster: the
 * checks run in the deploy's transaction against the new functions, their writes are rolled back,
 * a failed check rolls the whole deploy back (the previous deployment keeps serving), and a check
 * module that cannot be loaded is a clear error. Also `deploy({ check })` through the API.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { CheckError, deploy } from "../mod.ts";
import { ok, type Run, stopgapIn, tempProject } from "./_cli.ts";
import { type FreshDatabase, withDatabase } from "./harness.ts";

/**
 * The check module of these tests. By name: `a_writes` runs first and writes (through a mutation
 * and through `sql`), `b_sees_a_clean_database` proves it sees none of that, `greets` calls the new
 * `hello` and expects `expected`, `refuses_empty_notes` expects a call to fail and goes on.
 * `EXPECTED` is not a function, so not a check.
 */
function checkModule(expected: string): string {
  return `import type { CheckContext } from "@stopgap/stopgap";

export const EXPECTED = ${JSON.stringify(expected)};

export async function a_writes({ call, sql }: CheckContext) {
  const { id } = await call<{ id: number }>("notes_add", { text: "from a check" });
  const [note] = await sql\`select text from stopgap_example_notes where id = \${id}\`;
  if (note?.text !== "from a check") throw new Error(\`note \${id} is not there\`);
  await sql\`insert into check_marks values ('a_writes')\`;
}

export async function b_sees_a_clean_database({ call, sql }: CheckContext) {
  const marks = await sql\`select name from check_marks\`;
  if (marks.length !== 0) throw new Error(\`sees \${marks.length} rows another check wrote\`);
  const { count } = await call<{ count: number }>("notes_count", {});
  if (count !== 0) throw new Error(\`sees \${count} notes another check added\`);
}

export async function greets({ call }: CheckContext) {
  const { greeting } = await call<{ greeting: string }>("hello", { name: "Ada" });
  if (greeting !== EXPECTED) throw new Error(\`expected \${JSON.stringify(EXPECTED)}, got \${JSON.stringify(greeting)}\`);
}

export async function refuses_empty_notes({ call }: CheckContext) {
  const error = await call("notes_add", { text: "" }).then(() => null, (e) => e);
  if (error?.code !== "22023") throw new Error(\`an empty note was not refused: \${error}\`);
  const { id } = await call<{ id: number }>("notes_add", { text: "after the refused one" });
  if (id !== 1) throw new Error(\`the next note got id \${id}\`);
}
`;
}

/** The line and column of `throw new Error` in `greets` of {@linkcode checkModule}. */
const GREETS_THROW = "21:36";

/** A project made by `stopgap init`, deployed to `dev` as `v1` (`hello` says "Hello"), and `hello` changed to say "Hi". */
async function deployedProject(db: FreshDatabase, dir: string): Promise<number> {
  await db.sql`create extension stopgap cascade`;
  await db.sql`create table check_marks (name text)`;
  await ok(dir, "init");
  const v1 = JSON.parse((await ok(dir, "deploy", "--env", "dev", "--label", "v1", "--json", "--db", db.url)).stdout);
  const path = join(dir, "functions/hello.ts");
  await Deno.writeTextFile(path, (await Deno.readTextFile(path)).replace("`Hello, ${name}!`", "`Hi, ${name}!`"));
  await Deno.mkdir(join(dir, "checks"));
  return v1.deploymentId;
}

async function greeting(db: FreshDatabase, dir: string): Promise<string> {
  const run = await ok(dir, "call", "hello", "--env", "dev", "--args", '{"name":"Ada"}', "--json", "--db", db.url);
  return JSON.parse(run.stdout).greeting;
}

async function activeDeployment(db: FreshDatabase): Promise<number> {
  const [{ id }] = await db.sql`select active_deployment_id as id from stopgap.environment where env = 'dev'`;
  return Number(id);
}

/** What the checks wrote, had it persisted: rows of `check_marks`, and whether the notes table exists. */
async function checkWrites(db: FreshDatabase): Promise<{ marks: number; notesTable: boolean }> {
  const [row] = await db.sql`select (select count(*)::int from check_marks) as marks,
    to_regclass('stopgap_example_notes') is not null as notes_table`;
  return { marks: row.marks, notesTable: row.notes_table };
}

/** stderr from the `error:` line on: the progress lines come before it. */
function errorText(run: Run): string {
  const lines = run.stderr.split("\n");
  return lines.slice(lines.findIndex((line) => line.startsWith("error: "))).join("\n").trimEnd();
}

Deno.test("deploy --check: the checks call the new functions before the commit, the deploy commits, and their writes are gone", () =>
  withDatabase("check_pass", async (db) => {
    await using project = await tempProject();
    const { dir } = project;
    const v1 = await deployedProject(db, dir);
    await Deno.writeTextFile(join(dir, "checks/deploy.ts"), checkModule("Hi, Ada!"));

    const dry = await ok(dir, "deploy", "--env", "dev", "--dry-run", "--check", "checks/deploy.ts", "--db", db.url);
    assert.match(dry.stdout, /^Dry run: deploying directory functions to "dev" would change 1 function /);
    assert.match(dry.stdout, /^4 checks of checks\/deploy\.ts passed in the dry run's transaction; their writes/m);
    assert.equal(await activeDeployment(db), v1, "a dry run with checks deploys nothing");
    assert.equal(await greeting(db, dir), "Hello, Ada!");

    const run = await ok(dir, "deploy", "--env", "dev", "--label", "v2", "--check", "checks/deploy.ts", "--db", db.url);
    assert.match(run.stdout, /^Deployed 3 functions from directory functions to "dev" as deployment \d+ \("v2"\)/);
    assert.match(
      run.stdout,
      /^4 checks of checks\/deploy\.ts passed before the commit; their writes were rolled back:\n {2}check +ms\n {2}a_writes +\d+\n {2}b_sees_a_clean_database +\d+\n {2}greets +\d+\n {2}refuses_empty_notes +\d+\n/m,
    );
    assert.match(run.stderr, /^load +checks\/deploy\.ts$/m);
    assert.match(run.stderr, /^checks +4 from checks\/deploy\.ts$/m);
    assert.notEqual(await activeDeployment(db), v1);
    assert.equal(await greeting(db, dir), "Hi, Ada!");
    assert.deepEqual(await checkWrites(db), { marks: 0, notesTable: false }, "the checks' writes were rolled back");
  }));

Deno.test("deploy --check --json lists each check with its name, status and milliseconds", () =>
  withDatabase("check_json", async (db) => {
    await using project = await tempProject();
    const { dir } = project;
    await deployedProject(db, dir);
    await Deno.writeTextFile(join(dir, "checks/deploy.ts"), checkModule("Hi, Ada!"));
    const run = await ok(dir, "deploy", "--env", "dev", "--check", "checks/deploy.ts", "--json", "--db", db.url);
    assert.equal(run.stderr, "");
    const result = JSON.parse(run.stdout);
    assert.equal(result.status, "deployed");
    assert.deepEqual(
      result.checks.map((c: { name: string; status: string; error: unknown }) => [c.name, c.status, c.error]),
      [
        ["a_writes", "passed", null],
        ["b_sees_a_clean_database", "passed", null],
        ["greets", "passed", null],
        ["refuses_empty_notes", "passed", null],
      ],
    );
    for (const check of result.checks) assert.ok(Number.isInteger(check.ms) && check.ms >= 0, check.ms);
  }));

Deno.test("a failing check: exit 1 naming the check, its error and its line; nothing is deployed and v1 keeps serving", () =>
  withDatabase("check_fail", async (db) => {
    await using project = await tempProject();
    const { dir } = project;
    const v1 = await deployedProject(db, dir);
    // The new hello says "Hi": a check expecting the old greeting fails against the new deployment.
    await Deno.writeTextFile(join(dir, "checks/deploy.ts"), checkModule("Hello, Ada!"));

    const run = await stopgapIn(dir, [
      "deploy",
      "--env",
      "dev",
      "--label",
      "v2",
      "--check",
      "checks/deploy.ts",
      "--db",
      db.url,
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      errorText(run),
      `error: Check "greets" of checks/deploy.ts failed: Error: expected "Hello, Ada!", got "Hi, Ada!"
    at greets (checks/deploy.ts:${GREETS_THROW})
hint: Nothing was deployed: deployment ${v1} keeps serving "dev" (the checks ran in the deploy's transaction, which was rolled back)`,
    );
    assert.equal(run.stdout, "");
    assert.equal(await greeting(db, dir), "Hello, Ada!", "the previous deployment keeps serving");
    assert.equal(await activeDeployment(db), v1);
    const list = JSON.parse((await ok(dir, "deployments", "--env", "dev", "--json", "--db", db.url)).stdout);
    assert.deepEqual(list.deployments.map((d: { label: string }) => d.label), ["v1"], "the attempt is not recorded");
    assert.deepEqual(await checkWrites(db), { marks: 0, notesTable: false });

    const json = await stopgapIn(dir, [
      "deploy",
      "--env",
      "dev",
      "--check",
      "checks/deploy.ts",
      "--json",
      "--db",
      db.url,
    ]);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout).error;
    assert.equal(report.code, "check_failed");
    assert.deepEqual(report.checks.map((c: { name: string; status: string }) => [c.name, c.status]), [
      ["a_writes", "passed"],
      ["b_sees_a_clean_database", "passed"],
      ["greets", "failed"],
      ["refuses_empty_notes", "passed"],
    ]);
    assert.equal(
      report.checks[2].error,
      `Error: expected "Hello, Ada!", got "Hi, Ada!"\n    at greets (checks/deploy.ts:${GREETS_THROW})`,
    );

    const dry = await stopgapIn(dir, [
      "deploy",
      "--env",
      "dev",
      "--dry-run",
      "--check",
      "checks/deploy.ts",
      "--db",
      db.url,
    ]);
    assert.equal(dry.code, 1);
    assert.match(dry.stderr, /^error: Check "greets" of checks\/deploy\.ts failed: /m);
    assert.match(dry.stderr, /^hint: Nothing changed: the dry run deployed, ran the checks and rolled back$/m);

    // The failed attempt did not use up its label.
    await Deno.writeTextFile(join(dir, "checks/deploy.ts"), checkModule("Hi, Ada!"));
    await ok(dir, "deploy", "--env", "dev", "--label", "v2", "--check", "checks/deploy.ts", "--db", db.url);
    assert.equal(await greeting(db, dir), "Hi, Ada!");
  }));

Deno.test("several failing checks are each reported, a server error with its SQLSTATE; the passing ones run too", () =>
  withDatabase("check_several", async (db) => {
    await using project = await tempProject();
    const { dir } = project;
    const v1 = await deployedProject(db, dir);
    await Deno.writeTextFile(
      join(dir, "checks/several.ts"),
      `import type { CheckContext } from "@stopgap/stopgap";

export async function calls_a_missing_function({ call }: CheckContext) {
  await call("nope");
}

export async function divides_by_zero({ sql }: CheckContext) {
  // Caught, but the statement failed: the check's savepoint is aborted, so the check fails.
  await sql\`select 1 / 0\`.catch(() => {});
}

export function passes() {}

export function throws_a_string() {
  throw "not an Error";
}
`,
    );
    const run = await stopgapIn(dir, [
      "deploy",
      "--env",
      "dev",
      "--check",
      "checks/several.ts",
      "--json",
      "--db",
      db.url,
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      errorText(run),
      `error: 3 of 4 checks of checks/several.ts failed:
  check "calls_a_missing_function": function "nope" is not in the active deployment of environment "dev" (SQLSTATE 42883)
  check "divides_by_zero": division by zero (SQLSTATE 22012)
  check "throws_a_string": "not an Error"
hint: Nothing was deployed: deployment ${v1} keeps serving "dev" (the checks ran in the deploy's transaction, which was rolled back)`,
    );
    const report = JSON.parse(run.stdout).error;
    assert.deepEqual(report.checks.map((c: { name: string; status: string }) => [c.name, c.status]), [
      ["calls_a_missing_function", "failed"],
      ["divides_by_zero", "failed"],
      ["passes", "passed"],
      ["throws_a_string", "failed"],
    ]);
    assert.equal(await activeDeployment(db), v1);
  }));

Deno.test("deploy({ check }) with a failing check throws CheckError, and the same connection then calls the previous deployment", () =>
  withDatabase("check_api", async (db) => {
    await using project = await tempProject();
    const { dir } = project;
    const v1 = await deployedProject(db, dir);
    const check = join(dir, "checks/deploy.ts");
    await Deno.writeTextFile(check, checkModule("Hello, Ada!"));
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      // One connection: the backend that ran the rolled-back deploy, with the new functions loaded in
      // its caches, serves the call afterwards.
      const error = await deploy({ sql, env: "dev", root: dir, check }).then(() => undefined, (e) => e);
      assert.ok(error instanceof CheckError, String(error));
      assert.equal(error.code, "check_failed");
      assert.deepEqual(error.checks.map((c) => [c.name, c.status]), [
        ["a_writes", "passed"],
        ["b_sees_a_clean_database", "passed"],
        ["greets", "failed"],
        ["refuses_empty_notes", "passed"],
      ]);
      const [row] = await sql`select stopgap.call_fn('dev', 'hello', ${sql.json({ name: "Ada" })}) as result`;
      assert.deepEqual(row.result, { greeting: "Hello, Ada!" });
      assert.equal(await activeDeployment(db), v1);

      await Deno.writeTextFile(check, checkModule("Hi, Ada!"));
      const result = await deploy({ sql, env: "dev", root: dir, check, label: "v2" });
      assert.deepEqual(result.checks.map((c) => [c.name, c.status]), [
        ["a_writes", "passed"],
        ["b_sees_a_clean_database", "passed"],
        ["greets", "passed"],
        ["refuses_empty_notes", "passed"],
      ]);
      const [after] = await sql`select stopgap.call_fn('dev', 'hello', ${sql.json({ name: "Ada" })}) as result`;
      assert.deepEqual(after.result, { greeting: "Hi, Ada!" });
    } finally {
      await sql.end();
    }
  }));

Deno.test("a check module that does not exist, exports no function or has a type error: exit 1 with what to fix, nothing deployed", () =>
  withDatabase("check_load", async (db) => {
    await using project = await tempProject();
    const { dir } = project;
    const v1 = await deployedProject(db, dir);
    const deployWith = (file: string, ...flags: string[]) =>
      stopgapIn(dir, ["deploy", "--env", "dev", "--check", file, ...flags, "--db", db.url]);

    const missing = await deployWith("checks/nope.ts");
    assert.equal(missing.code, 1);
    assert.match(errorText(missing), /^error: The check module "checks\/nope\.ts" does not exist$/m);
    assert.match(errorText(missing), /^hint: Pass the path of a TypeScript file to --check\. A check module exports/m);

    await Deno.writeTextFile(
      join(dir, "checks/empty.ts"),
      `export const expected = "Hi, Ada!";\nexport class Helper {}\n`,
    );
    const empty = await deployWith("checks/empty.ts", "--json");
    assert.equal(empty.code, 1);
    assert.equal(
      errorText(empty),
      `error: The check module "checks/empty.ts" exports no function
hint: A check module exports one function per check, e.g. \`export async function greets({ call }: CheckContext) { ... }\`; other exports are ignored (docs/CLI.md, "Checks")`,
    );
    assert.equal(JSON.parse(empty.stdout).error.code, "no_checks");

    await Deno.writeTextFile(
      join(dir, "checks/typed.ts"),
      `import type { CheckContext } from "@stopgap/stopgap";\n\nexport async function greets({ call }: CheckContext) {\n  const n: number = await call<string>("hello", { name: "Ada" });\n  return n;\n}\n`,
    );
    const typed = await deployWith("checks/typed.ts", "--json");
    assert.equal(typed.code, 1);
    assert.match(typed.stderr, /^error: Loading the check module "checks\/typed\.ts" failed:$/m);
    const report = JSON.parse(typed.stdout).error;
    assert.equal(report.code, "check_load_failed");
    assert.deepEqual(report.diagnostics, [{
      file: "checks/typed.ts",
      line: 4,
      column: 9,
      code: "TS2322",
      message: "Type 'string' is not assignable to type 'number'.",
    }]);

    assert.equal(await activeDeployment(db), v1);
    assert.equal(await greeting(db, dir), "Hello, Ada!");
  }));
