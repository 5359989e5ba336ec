/**
 * The typed client against functions deployed by the CLI: types and client-side validation from the
 * function modules themselves, and declarations from `stopgap types`; and the client code of
 * docs/CLI.md, type-checked in a project made by `stopgap init`.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createClient, ValidationError } from "../mod.ts";
import { bump } from "./fixtures/typed/functions/counter.ts";
import greet from "./fixtures/typed/functions/greet.ts";
import { ok, tempProject } from "./_cli.ts";
import { withDatabase } from "./harness.ts";

const FIXTURE = "tests/fixtures/typed/functions";

Deno.test("createClient validates arguments client-side without a round trip, then calls the deployed function", () =>
  withDatabase("client", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await ok(new URL("../", import.meta.url), "deploy", "--env", "prod", "--dir", FIXTURE, "--db", db.url);

    let queries = 0;
    const sql = postgres(db.url, { max: 1, onnotice: () => {}, debug: () => queries++ });
    try {
      const client = createClient(sql, { env: "prod", functions: { greet, counter_bump: bump } });
      // @ts-expect-error: every member of functions is a query or mutation
      createClient(sql, { env: "prod", functions: { greet, answer: 42 } });
      const { greeting } = await client.greet({ name: "ada" });
      assert.equal(greeting, "hello ada");
      assert.deepEqual(await client.counter_bump({ by: 2 }), { total: 2 });
      assert.deepEqual(await client.counter_bump({ by: 3 }), { total: 5 });

      const before = queries;
      await assert.rejects(
        // @ts-expect-error: name must be a string; the types come from the module's schema
        () => client.greet({ name: 42 }),
        (error: unknown) =>
          error instanceof ValidationError && /name: expected string, received number/.test(error.message),
      );
      await assert.rejects(() => client.greet({ name: "" }), ValidationError);
      assert.equal(queries, before, "invalid arguments never reach the server");
    } finally {
      await sql.end();
    }
  }));

Deno.test("stopgap types writes declarations createClient<Api> accepts, and the server still validates", () =>
  withDatabase("client_types", async (db) => {
    await db.sql`create extension stopgap cascade`;
    const root = new URL("../", import.meta.url);
    await ok(root, "deploy", "--env", "prod", "--dir", FIXTURE, "--db", db.url);
    await using project = await tempProject();
    const out = `${project.dir}/api.d.ts`;
    const run = JSON.parse((await ok(root, "types", "--env", "prod", "--out", out, "--json", "--db", db.url)).stdout);
    assert.deepEqual(run.functions, [
      { name: "counter_bump", kind: "mutation", typed: true },
      { name: "greet", kind: "query", typed: true },
    ]);
    const code = await Deno.readTextFile(out);
    assert.match(
      code,
      /^ {2}greet: \{\n {4}kind: "query";\n {4}args: \{\n {6}name: string;\n {4}\};\n {4}result: \{\n {6}greeting: string;\n {4}\};/m,
    );

    // An interface, as `stopgap types` writes it (it has no index signature).
    interface Api {
      greet: { kind: "query"; args: { name: string }; result: { greeting: string } };
    }
    const client = createClient<Api>(db.sql, { env: "prod" });
    assert.deepEqual(await client.greet({ name: "bo" }), { greeting: "hello bo" });
    await assert.rejects(
      () => client.greet({ name: "" }),
      (error: Error & { code?: string }) => error.code === "22023",
    );
  }));

/** The code blocks of docs/CLI.md's "The typed client", by the file name on their first line (`// client.ts: ...`). */
async function documentedClientFiles(): Promise<Map<string, string>> {
  const doc = await Deno.readTextFile(new URL("../docs/CLI.md", import.meta.url));
  const section = doc.slice(doc.indexOf("\n## The typed client\n") + 1);
  const body = section.slice(0, section.indexOf("\n## "));
  const files = new Map<string, string>();
  for (const [, code, name] of body.matchAll(/```ts\n(\/\/ ([\w.]+\.ts):[^\n]*\n[\s\S]*?)```/g)) files.set(name, code);
  return files;
}

/** Runs the project's Deno (the one running the tests) in `dir`, which finds the deno.json `stopgap init` wrote. */
async function denoIn(dir: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

Deno.test("the typed client code of docs/CLI.md type-checks and runs in a project made by stopgap init, with the modules and with the Api of stopgap types", () =>
  withDatabase("client_docs", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    await ok(project.dir, "init");
    await ok(project.dir, "deploy", "--env", "dev", "--db", db.url);
    await ok(project.dir, "types", "--env", "dev", "--out", "api.d.ts", "--db", db.url);
    assert.match(await Deno.readTextFile(`${project.dir}/api.d.ts`), /^export interface Api \{$/m);

    const files = await documentedClientFiles();
    assert.deepEqual([...files.keys()], ["client.ts", "client_api.ts"]);
    for (const [name, code] of files) await Deno.writeTextFile(`${project.dir}/${name}`, code);
    const checked = await denoIn(project.dir, ["check", ...files.keys()]);
    assert.equal(checked.code, 0, checked.stderr);

    const env = { DATABASE_URL: db.url };
    const ran = await denoIn(project.dir, ["run", "-A", "client.ts"], env);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "Hello, Ada! 1 { count: 1 }\n");
    const ranApi = await denoIn(project.dir, ["run", "-A", "client_api.ts"], env);
    assert.equal(ranApi.code, 0, ranApi.stderr);
    assert.equal(ranApi.stdout, `{ greeting: "Hello, Ada!" }\n`);

    // The same code with a wrong argument type fails the check.
    for (const [name, code] of files) {
      const misused = code.replace(`api.hello({ name: "Ada" })`, "api.hello({ name: 42 })");
      assert.notEqual(misused, code, `${name} calls api.hello({ name: "Ada" })`);
      await Deno.writeTextFile(`${project.dir}/${name}`, misused);
      const misuse = await denoIn(project.dir, ["check", name]);
      assert.notEqual(misuse.code, 0, `${name} with a wrong argument type passed deno check`);
      assert.match(misuse.stderr, /TS2322 \[ERROR\]: Type 'number' is not assignable to type 'string'/);
      assert.ok(misuse.stderr.includes(`${name}:`), misuse.stderr);
    }
  }));
