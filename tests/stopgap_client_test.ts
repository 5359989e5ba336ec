/**
 * The typed client against functions deployed by the CLI: types and client-side validation from the
 * function modules themselves, and declarations from `stopgap types`.
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
