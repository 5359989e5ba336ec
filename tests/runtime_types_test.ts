/**
 * Type inference of the wrappers. `deno check` (part of `./dev test`) fails this file if a misuse below
 * compiles: each `@ts-expect-error` must meet a real type error.
 */
import assert from "node:assert/strict";
import { mutation, query, v } from "../mod.ts";

const getItem = query(v.object({ id: v.number(), tags: v.array(v.string()) }), async ({ id, tags }, ctx) => {
  const n: number = id;
  const first: string | undefined = tags[0];
  // @ts-expect-error id is inferred as number, not string
  const wrong: string = id;
  // @ts-expect-error a query's ctx.db has no exec: it is read-only
  await ctx.db.exec("delete from items");
  // @ts-expect-error arguments outside the schema do not exist
  void ctx.args.id;
  return { n, first, wrong };
}, { returns: v.object({ n: v.number(), first: v.optional(v.string()), wrong: v.string() }) });

const addItem = mutation(v.object({ name: v.string() }), async ({ name }, ctx) => {
  const result = await ctx.db.exec("insert into items (name) values ($1)", [name]);
  // @ts-expect-error name is a string
  const count: number = name;
  return { rowCount: result.rowCount, count };
});

Deno.test("query and mutation infer handler argument types from their schemas (enforced by deno check)", () => {
  assert.equal(getItem.kind, "query");
  assert.equal(addItem.kind, "mutation");
});
