/**
 * Type inference of the wrappers. `deno check` (part of `./dev test`) fails this file if a misuse below
 * compiles: each `@ts-expect-error` must meet a real type error.
 */
import assert from "node:assert/strict";
import { type InferInput, type InferOutput, type Issue, mutation, query, type Schema, v } from "../mod.ts";

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

// The schema types of the public API fit valibot's schemas: input and output types differ where
// valibot's do (an optional key with a default is optional in, present out).
const WithDefault = v.object({ id: v.number(), note: v.optional(v.string(), "") });
const sent: InferInput<typeof WithDefault> = { id: 1 };
const received: InferOutput<typeof WithDefault> = { id: 1, note: "" };
// @ts-expect-error the output always has `note`
const missingNote: InferOutput<typeof WithDefault> = { id: 1 };
const schema: Schema = WithDefault;
// @ts-expect-error an async schema cannot be a wrapper's schema (PostgreSQL calls are synchronous)
const asyncSchema: Schema = v.objectAsync({ id: v.number() });
const issues: readonly Issue[] = v.safeParse(WithDefault, {}).issues ?? [];

Deno.test("InferInput, InferOutput, Schema and Issue accept valibot's schemas and issues (enforced by deno check)", () => {
  assert.deepEqual([sent, received, missingNote], [{ id: 1 }, { id: 1, note: "" }, { id: 1 }]);
  assert.equal(schema.type, "object");
  assert.equal(asyncSchema.async, true);
  assert.equal(issues[0].path?.[0].key, "id");
});
