/** The query/mutation wrappers in Deno: validation messages, metadata, JSON Schema, and callLocal's semantics. */
import assert from "node:assert/strict";
import { callLocal, mutation, query, v, ValidationError } from "../mod.ts";
import { withDatabase } from "./harness.ts";
import type { PltsContext } from "../runtime/mod.ts";

const Item = v.object({ id: v.number(), name: v.pipe(v.string(), v.minLength(1)), tags: v.array(v.string()) });
const getName = query(Item, ({ name }) => name);

/** A context for wrappers that fail before touching the database. */
function ctxWith(args: unknown): PltsContext {
  return { args, fn: { oid: 0, schema: "t", name: "t" }, now: new Date(0) } as unknown as PltsContext;
}

Deno.test("invalid arguments throw a ValidationError listing each issue with its path", () => {
  assert.throws(() => getName(ctxWith({ id: "1", name: "", tags: ["a", 2] })), (error: unknown) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.sqlstate, "22023");
    assert.equal(
      error.message,
      "invalid arguments: id: expected number, received string; name: Invalid length: Expected >=1 but received 0; " +
        "tags.1: expected string, received number",
    );
    assert.equal(error.detail.split("\n").length, 3);
    return true;
  });
});

Deno.test("a missing argument is reported as required", () => {
  assert.throws(() => getName(ctxWith({ name: "x", tags: [] })), /invalid arguments: id: required/);
});

Deno.test("valid arguments reach the handler, typed and transformed by the schema", async () => {
  const trimmed = query(v.object({ s: v.pipe(v.string(), v.trim()) }), ({ s }) => `[${s}]`);
  assert.equal(await trimmed(ctxWith({ s: "  x  " })), "[x]");
});

Deno.test("a returns schema rejects a wrong result", async () => {
  const bad = mutation(v.object({}), () => ({ id: "1" }) as unknown as { id: number }, {
    returns: v.object({ id: v.number() }),
  });
  await assert.rejects(async () => await bad(ctxWith({})), /invalid result: id: expected number, received string/);
});

Deno.test("wrapped handlers carry kind, schemas and a JSON Schema of their arguments", () => {
  assert.equal(getName.kind, "query");
  assert.equal(getName.args, Item);
  assert.equal(getName.returns, undefined);
  assert.deepEqual(getName.argsJsonSchema, {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: {
      id: { type: "number" },
      name: { type: "string", minLength: 1 },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["id", "name", "tags"],
  });
});

Deno.test("callLocal runs a query in a READ ONLY transaction: PostgreSQL refuses its writes", () =>
  withDatabase("runtime_local_ro", async ({ sql }) => {
    await sql`create table notes (n int)`;
    const sneaky = query(v.object({}), async (_args, ctx) => {
      await (ctx.db as unknown as { exec(s: string): Promise<unknown> }).exec("insert into notes values (1)");
    });
    await assert.rejects(callLocal(sneaky, {}, { sql }), (error: { code?: string }) => error.code === "25006");
    const [{ count }] = await sql`select count(*)::int as count from notes`;
    assert.equal(count, 0);
  }));

Deno.test("callLocal commits a mutation and rolls it back when the handler throws", () =>
  withDatabase("runtime_local_rw", async ({ sql }) => {
    await sql`create table notes (n int)`;
    const add = mutation(v.object({ n: v.number() }), async ({ n }, ctx) => {
      await ctx.db.exec("insert into notes values ($1)", [n]);
      if (n < 0) throw new Error("negative");
      return (await ctx.db.query<{ total: number }>("select sum(n)::int as total from notes"))[0].total;
    });
    assert.equal(await callLocal(add, { n: 2 }, { sql }), 2);
    await assert.rejects(callLocal(add, { n: -1 }, { sql }), /negative/);
    const [{ total }] = await sql`select sum(n)::int as total from notes`;
    assert.equal(total, 2);
  }));
