/**
 * The wrappers' arguments check done in Rust on the jsonb argument (`runtime/native_shape.ts` describes the
 * schema, `ext/plts/src/args_shape.rs` checks it): which schemas get a shape, and, inside PostgreSQL, that
 * every jsonb input ends as valibot decides, whether the native path or the JavaScript one took it.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { describeShape } from "../runtime/native_shape.ts";
import { withDatabase } from "./harness.ts";
import { edgeInputs, prng, sample } from "./_schema_inputs.ts";

Deno.test("an object schema of the JSON kinds becomes a shape, entries in the schema's order", () => {
  const schema = v.object({
    b: v.string(),
    a: v.optional(v.nullable(v.number())),
    c: v.array(v.picklist(["x", 1])),
    d: v.looseObject({ e: v.literal(true), f: v.unknown() }),
  });
  assert.deepEqual(describeShape(schema), {
    type: "object",
    entries: [
      ["b", { type: "string" }],
      ["a", { type: "optional", wrapped: { type: "nullable", wrapped: { type: "number" } } }],
      ["c", { type: "array", item: { type: "picklist", options: ["x", 1] } }],
      ["d", { type: "loose_object", entries: [["e", { type: "literal", value: true }], ["f", { type: "any" }]] }],
    ],
  });
});

Deno.test("schemas that no JSON value fits exactly, or that valibot reads beyond the value, get no shape", () => {
  const without: Record<string, v.GenericSchema> = {
    bigint: v.bigint(),
    undefined: v.undefined(),
    "literal NaN": v.literal(NaN),
    "literal Infinity": v.literal(Infinity),
    "literal bigint": v.literal(1n),
    "picklist with NaN": v.picklist([1, NaN]),
    "a key on Object.prototype": v.object({ toString: v.optional(v.string()) }),
    "__proto__ as a key": v.object({ ["__proto__"]: v.optional(v.string()) }),
    "optional with a default": v.object({ page: v.optional(v.number(), 1) }),
    "a pipe": v.object({ name: v.pipe(v.string(), v.minLength(1)) }),
    union: v.union([v.string(), v.number()]),
    "a getter that throws": v.object({
      get broken(): v.GenericSchema {
        throw new Error("no schema");
      },
    }),
  };
  for (const [name, schema] of Object.entries(without)) assert.equal(describeShape(schema), undefined, name);
});

/** Schemas as source text: the same text is the schema in Deno and in the plts function. */
const SCHEMAS: Record<string, string> = {
  "the benchmark's 5 fields":
    "v.object({ id: v.number(), name: v.string(), price: v.number(), tags: v.array(v.string()), ok: v.boolean() })",
  "optional kinds": "v.object({ optional: v.optional(v.string()), nullable: v.nullable(v.string()), " +
    "nullish: v.nullish(v.string()), exact: v.exactOptional(v.string()), any: v.any(), unknown: v.unknown() })",
  "strictObject": "v.strictObject({ a: v.number(), b: v.optional(v.string()) })",
  "looseObject": "v.looseObject({ a: v.number(), b: v.optional(v.string()) })",
  "integer-like and unicode keys":
    'v.object({ b: v.string(), "2": v.number(), "é": v.optional(v.number()), "1": v.any() })',
  "nested objects and arrays": "v.object({ user: v.object({ id: v.number(), email: v.nullable(v.string()), " +
    'roles: v.array(v.picklist(["admin", "user"])) }), items: v.array(v.object({ a: v.number(), b: v.optional(v.string()) })), ' +
    "meta: v.optional(v.object({ page: v.number(), next: v.nullish(v.string()) })) })",
  "literals": 'v.object({ kind: v.literal("a"), n: v.literal(0), t: v.literal(true), p: v.picklist([1, 2.5, "x"]) })',
  "an array at the root": "v.array(v.looseObject({ id: v.number() }))",
};

/** The JSON text of each input that JSON can hold, without repeats. */
function jsonInputs(schema: v.GenericSchema, seed: number): string[] {
  const random = prng(seed);
  const values = [...edgeInputs(), ...edgeInputs().map((a) => ({ a }))];
  for (let i = 0; i < 1500; i++) values.push(sample(schema, random, i % 2 === 0 ? 0.1 : 0.02));
  const texts = new Set<string>();
  for (const value of values) {
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) texts.add(text);
    } catch {
      // a BigInt: not JSON
    }
  }
  return [...texts];
}

Deno.test("inside PostgreSQL every jsonb argument ends as valibot decides, checked natively or not", () =>
  withDatabase("native_args", async ({ sql }) => {
    await sql`create extension plts`;
    for (const [index, [name, source]] of Object.entries(SCHEMAS).entries()) {
      const schema = new Function("v", `return ${source};`)(v) as v.GenericSchema;
      assert.ok(describeShape(schema), `${name}: has a shape`);
      // The handler reports whether it got ctx.args itself (the native path; valibot always makes a new
      // object or array) and the output as JSON text, which keeps key order (jsonb would sort keys).
      await sql.unsafe(`create function native_${index}(args jsonb) returns jsonb language plts as $plts$
        import { query, v } from "@stopgap/runtime";
        export default query(${source}, (args, ctx) => ({ native: args === ctx.args, json: JSON.stringify(args) }));
      $plts$`);
      await sql.unsafe(`create function try_native_${index}(x jsonb) returns jsonb language plpgsql as $$
        begin return native_${index}(x); exception when others then return jsonb_build_object('error', sqlerrm); end $$`);
      const inputs = jsonInputs(schema, index * 7919 + 1);
      const rows = await sql.unsafe(
        `select try_native_${index}(x) as r, x::text as jsonb from jsonb_array_elements($1::text::jsonb) with ordinality as t(x, n) order by n`,
        [`[${inputs.join(",")}]`],
      );
      let native = 0;
      let accepted = 0;
      for (const [i, { r, jsonb }] of rows.entries()) {
        // jsonb is what both sides see: its numbers and key order, not the text's.
        const input = JSON.parse(jsonb);
        const expected = v.safeParse(schema, input);
        const at = `${name} on ${inputs[i]}`;
        if (r.error !== undefined) {
          assert.equal(expected.success, false, `${at}: rejected in PostgreSQL (${r.error})`);
          assert.match(r.error, /^invalid arguments: /, at);
          continue;
        }
        assert.ok(expected.success, `${at}: accepted in PostgreSQL`);
        assert.equal(r.json, JSON.stringify(expected.output), at);
        accepted++;
        native += Number(r.native);
      }
      assert.ok(
        native > 0 && accepted < rows.length,
        `${name}: ${native} native, ${accepted} of ${rows.length} accepted`,
      );
    }
  }));

Deno.test("inside PostgreSQL a valid argument reaches the handler as ctx.args itself, keys in the schema's order", () =>
  withDatabase("native_args_identity", async ({ sql }) => {
    await sql`create extension plts`;
    await sql`create function f(args jsonb) returns jsonb language plts as $plts$
      import { mutation, v } from "@stopgap/runtime";
      export default mutation(v.object({ zeta: v.number(), id: v.number() }),
        (args, ctx) => ({ same: args === ctx.args, keys: Object.keys(args), ctxKeys: Object.keys(ctx.args) }));
    $plts$`;
    const [valid] = await sql`select f('{"id": 1, "zeta": 2}') as r`;
    assert.deepEqual(valid.r, { same: true, keys: ["zeta", "id"], ctxKeys: ["zeta", "id"] });
    // An extra key is dropped by valibot: a new object, and ctx.args keeps jsonb's order and the key.
    const [extra] = await sql`select f('{"id": 1, "zeta": 2, "x": 3}') as r`;
    assert.deepEqual(extra.r, { same: false, keys: ["zeta", "id"], ctxKeys: ["x", "id", "zeta"] });
  }));
