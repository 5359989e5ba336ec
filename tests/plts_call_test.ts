/**
 * plts through postgres.js: a client creates and calls TypeScript functions, and sees plts errors with the
 * fields PostgreSQL sends (SQLSTATE, detail with the TypeScript stack, context).
 */
import assert from "node:assert/strict";
import { withDatabase } from "./harness.ts";

Deno.test("a TypeScript function created and called from postgres.js returns its result", () =>
  withDatabase("plts_call", async ({ sql }) => {
    await sql`create extension plts`;
    await sql.unsafe(`create function add(a int, b int) returns int language plts as $$
      export default (ctx: { args: { a: number; b: number } }) => ctx.args.a + ctx.args.b;
    $$`);
    const [row] = await sql`select add(${2}, ${40}) as sum`;
    assert.equal(row.sum, 42);
  }));

Deno.test("int8 beyond 2^53 and numeric keep every digit through JS and back", () =>
  withDatabase("plts_precision", async ({ sql }) => {
    await sql`create extension plts`;
    await sql.unsafe(`create function next_id(id int8) returns int8 language plts as $$
      export default (_ctx: unknown, id: number | bigint) => typeof id === "bigint" ? id + 1n : id + 1;
    $$`);
    await sql.unsafe(`create function same(n numeric) returns numeric language plts as $$
      export default (_ctx: unknown, n: string) => n;
    $$`);
    const [row] = await sql`select next_id(9007199254740993)::text as id, same(0.1000000000000000000001)::text as n`;
    assert.equal(row.id, "9007199254740994");
    assert.equal(row.n, "0.1000000000000000000001");
  }));

Deno.test("an uncaught JS error reaches the client with SQLSTATE, TypeScript stack and plts context", () =>
  withDatabase("plts_error", async ({ sql }) => {
    await sql`create extension plts`;
    await sql.unsafe(`create function fail() returns int language plts as $$
type T = number;
export default (): T => {
  throw new TypeError("bad input");
};
$$`);
    const error = await sql`select fail()`.then(() => null, (e) => e);
    assert.ok(error, "the call must fail");
    assert.equal(error.code, "P0001");
    assert.equal(error.message, "TypeError: bad input");
    assert.match(error.detail, /public\.fail:4:\d+/); // line 4 of the TypeScript body: the throw
    assert.match(error.where, /plts function public\.fail\(\d+\)/);
  }));

Deno.test("pg_cancel_backend stops a spinning function and the connection stays usable", () =>
  withDatabase("plts_cancel", async ({ sql }) => {
    await sql`create extension plts`;
    await sql.unsafe(`create function spin() returns int language plts as $$ export default () => { for (;;) {} } $$`);
    const reserved = await sql.reserve();
    try {
      const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
      const running = reserved`select spin()`.then(() => null, (e) => e);
      // wait until the call is running, then cancel it from another connection
      for (let i = 0; i < 100; i++) {
        const [row] = await sql`select state, query from pg_stat_activity where pid = ${pid}`;
        if (row?.state === "active" && String(row.query).includes("spin()")) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await sql`select pg_cancel_backend(${pid})`;
      const error = await running;
      assert.ok(error, "the call must be canceled");
      assert.equal(error.code, "57014");
      const [row] = await reserved`select 1 as alive`;
      assert.equal(row.alive, 1);
    } finally {
      reserved.release();
    }
  }));
