/**
 * The compiled fast path of argument validation against valibot itself: for every supported schema shape and
 * thousands of inputs (edge cases and seeded random values), it accepts exactly what `v.safeParse` accepts
 * and returns the same output, down to key order, -0 and which values are new objects.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { compileParser, FAIL, type FastParser } from "../runtime/fast_parse.ts";
import { query } from "../runtime/mod.ts";
import type { PltsContext } from "../runtime/mod.ts";
import { edgeInputs, Point, prng, randomValue, sample } from "./_schema_inputs.ts";

// ---------------------------------------------------------------- schemas

type AnySchema = v.GenericSchema;

const Item = v.object({
  id: v.number(),
  name: v.string(),
  price: v.number(),
  tags: v.array(v.string()),
  ok: v.boolean(),
});

/** Supported shapes: each kind alone, wrapped, nested, and objects with awkward keys. */
const SUPPORTED: Record<string, AnySchema> = {
  string: v.string(),
  number: v.number(),
  boolean: v.boolean(),
  bigint: v.bigint(),
  null: v.null(),
  undefined: v.undefined(),
  any: v.any(),
  unknown: v.unknown(),
  "literal string": v.literal("a"),
  "literal zero": v.literal(0),
  "literal -0": v.literal(-0),
  "literal NaN": v.literal(NaN),
  "literal true": v.literal(true),
  "literal bigint": v.literal(1n),
  picklist: v.picklist(["a", "b", "toString"]),
  "picklist of numbers with NaN": v.picklist([1, 0, NaN]),
  optional: v.optional(v.string()),
  "optional with an undefined default": v.optional(v.string(), undefined),
  nullable: v.nullable(v.number()),
  nullish: v.nullish(v.boolean()),
  exactOptional: v.exactOptional(v.string()),
  "optional nullable": v.optional(v.nullable(v.string())),
  "nullable optional": v.nullable(v.optional(v.number())),
  "string with a custom message": v.string("not a string"),
  "v.message around a string": v.message(v.string(), "not a string"),
  "v.config around an object": v.config(v.object({ a: v.number() }), { abortEarly: true }),
  "array of numbers": v.array(v.number()),
  "array of optional strings": v.array(v.optional(v.string())),
  "array of arrays of any": v.array(v.array(v.any())),
  "array of objects": v.array(v.object({ a: v.number(), b: v.optional(v.string()) })),
  "the benchmark's 5-field object": Item,
  "empty object": v.object({}),
  "object of optional kinds": v.object({
    optional: v.optional(v.string()),
    nullable: v.nullable(v.string()),
    nullish: v.nullish(v.string()),
    exact: v.exactOptional(v.string()),
    undef: v.undefined(),
    any: v.any(),
    unknown: v.unknown(),
  }),
  "object with prototype keys": v.object({
    toString: v.optional(v.any()),
    valueOf: v.unknown(),
    constructor: v.optional(v.string()),
    hasOwnProperty: v.optional(v.number()),
    length: v.optional(v.number()),
    "0": v.optional(v.string()),
  }),
  "object with a __proto__ entry": v.object({ ["__proto__"]: v.optional(v.nullable(v.object({ a: v.string() }))) }),
  "object with integer-like keys": v.object({
    b: v.string(),
    "2": v.number(),
    a: v.optional(v.number()),
    "1": v.any(),
  }),
  "nested objects and arrays": v.object({
    user: v.object({ id: v.number(), email: v.nullable(v.string()), roles: v.array(v.picklist(["admin", "user"])) }),
    items: v.array(Item),
    meta: v.optional(v.object({ page: v.number(), next: v.nullish(v.string()) })),
  }),
  strictObject: v.strictObject({ a: v.number(), b: v.optional(v.string()) }),
  "strictObject with a prototype key": v.strictObject({ toString: v.optional(v.any()), a: v.optional(v.number()) }),
  looseObject: v.looseObject({ a: v.number(), b: v.optional(v.string()) }),
  "looseObject nested in an array": v.array(v.looseObject({ id: v.number() })),
};

/** Shapes left to valibot: compiling any of them gives `undefined`. */
const UNSUPPORTED: Record<string, AnySchema> = {
  "pipe with an action": v.pipe(v.string(), v.email()),
  "pipe without actions": v.pipe(v.string()),
  "pipe with a transform": v.pipe(v.string(), v.transform((s) => s.length)),
  "optional with a default": v.optional(v.string(), "x"),
  "nullable with a function default": v.nullable(v.string(), () => "x"),
  "nullish with a default": v.nullish(v.number(), 0),
  "exactOptional with a default": v.exactOptional(v.string(), "x"),
  fallback: v.fallback(v.string(), "x"),
  union: v.union([v.string(), v.number()]),
  variant: v.variant("kind", [v.object({ kind: v.literal("a") })]),
  record: v.record(v.string(), v.number()),
  tuple: v.tuple([v.string()]),
  custom: v.custom<string>((input) => typeof input === "string"),
  lazy: v.lazy(() => v.string()),
  date: v.date(),
  void: v.void(),
  "async object": v.objectAsync({ a: v.string() }) as unknown as AnySchema,
  "object with a piped entry": v.object({ id: v.number(), name: v.pipe(v.string(), v.minLength(1)) }),
  "array of unions": v.array(v.union([v.string(), v.number()])),
  "object with an entry default": v.object({ page: v.optional(v.number(), 1) }),
  "a hand-made schema object": { ...v.string(), reference: () => undefined } as unknown as AnySchema,
};

// ---------------------------------------------------------------- comparison

const OPTIONAL_KINDS = ["optional", "nullable", "nullish", "exact_optional"];

/**
 * Asserts that `ours` equals valibot's `theirs` for `input`, guided by the schema: the same primitives
 * (`Object.is`, so -0 counts), new arrays and objects where valibot makes new ones, the same keys in the
 * same order, the same prototype; everything else (any, unknown) the very same value.
 */
function assertSameOutput(schema: AnySchema, input: unknown, ours: unknown, theirs: unknown, path: string): void {
  const s = schema as unknown as Record<string, unknown> & { type: string };
  if (OPTIONAL_KINDS.includes(s.type) && (theirs === undefined || theirs === null)) {
    return assert.ok(Object.is(ours, theirs), `${path}: ${describe(ours)} vs ${describe(theirs)}`);
  }
  if (OPTIONAL_KINDS.includes(s.type)) return assertSameOutput(s.wrapped as AnySchema, input, ours, theirs, path);
  if (s.type === "array") {
    assert.ok(Array.isArray(ours) && Array.isArray(theirs), `${path}: not arrays`);
    assert.notEqual(ours, input, `${path}: the input array itself`);
    assert.equal(Object.getPrototypeOf(ours), Object.getPrototypeOf(theirs), `${path}: prototype`);
    assert.deepEqual(Object.keys(ours), Object.keys(theirs), `${path}: indices`);
    const items = input as unknown[];
    ours.forEach((item, i) => assertSameOutput(s.item as AnySchema, items[i], item, theirs[i], `${path}.${i}`));
    return;
  }
  if (s.entries) {
    const [a, b] = [ours as Record<string, unknown>, theirs as Record<string, unknown>];
    assert.ok(typeof a === "object" && a !== null && a !== input, `${path}: not a new object`);
    assert.deepEqual(Object.keys(a), Object.keys(b), `${path}: keys`);
    assertSamePrototype(Object.getPrototypeOf(a), Object.getPrototypeOf(b), path);
    const entries = s.entries as Record<string, AnySchema>;
    for (const key of Object.keys(b)) {
      const value = (input as Record<string, unknown>)[key];
      if (Object.hasOwn(entries, key)) assertSameOutput(entries[key], value, a[key], b[key], `${path}.${key}`);
      else assert.ok(Object.is(a[key], b[key]), `${path}.${key}: copied value differs`);
    }
    return;
  }
  assert.ok(Object.is(ours, theirs), `${path}: ${describe(ours)} vs ${describe(theirs)}`);
}

/** Equal prototypes, or (after `output.__proto__ = object`) structurally equal ones. */
function assertSamePrototype(ours: unknown, theirs: unknown, path: string): void {
  if (ours === theirs) return;
  assert.deepEqual(ours, theirs, `${path}: prototype`);
  assert.deepEqual(Object.keys(ours as object), Object.keys(theirs as object), `${path}: prototype keys`);
}

/** JSON text with bigints and -0 spelled out: a second, independent look at the output. */
function stringify(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, item) => {
    if (typeof item === "bigint") return `${item}n`;
    if (Object.is(item, -0)) return "-0";
    return item;
  });
}

/** Runs one input through both and asserts they agree; returns whether valibot accepted it. */
function assertAgrees(name: string, schema: AnySchema, parse: FastParser, input: unknown): boolean {
  const expected = v.safeParse(schema, input);
  let ours: unknown;
  try {
    ours = parse(input);
  } catch (error) {
    assert.fail(`${name}: the fast parser threw ${error} on ${describe(input)}`);
  }
  assert.equal(ours !== FAIL, expected.success, `${name}: accepted ${describe(input)}? fast ${ours !== FAIL}`);
  if (expected.success) {
    assertSameOutput(schema, input, ours, expected.output, `${name} on ${describe(input)}`);
    assert.equal(stringify(ours), stringify(expected.output), `${name} on ${describe(input)}: JSON`);
  }
  return expected.success;
}

function describe(input: unknown): string {
  return Deno.inspect(input, { depth: 4, showProxy: true });
}

// ---------------------------------------------------------------- tests

const RANDOM_PER_SCHEMA = 3000;

for (const [name, schema] of Object.entries(SUPPORTED)) {
  Deno.test(`the fast parser accepts exactly what valibot accepts, with valibot's output: ${name}`, () => {
    const parse = compileParser(schema);
    assert.ok(parse, `${name} should be supported`);
    const random = prng(name.length * 7919 + name.charCodeAt(0));
    let accepted = 0;
    let total = 0;
    const inputs = [...edgeInputs(), ...edgeInputs().map((input) => [input]), ...edgeInputs().map((a) => ({ a }))];
    for (const input of inputs) accepted += Number(assertAgrees(name, schema, parse, input)), total++;
    for (let i = 0; i < RANDOM_PER_SCHEMA; i++) {
      // Arbitrary values, values with many mistakes, values with few: all three reach different branches.
      const input = i % 3 === 0 ? randomValue(random, 0) : sample(schema, random, i % 3 === 1 ? 0.1 : 0.02);
      accepted += Number(assertAgrees(name, schema, parse, input)), total++;
    }
    // Both paths must really be exercised (any and unknown reject nothing), or agreement proves little.
    const rejectsNothing = schema.type === "any" || schema.type === "unknown";
    assert.ok(accepted > 0 && (accepted < total || rejectsNothing), `${name}: ${accepted} of ${total} accepted`);
  });
}

Deno.test("schemas with pipes, defaults, fallbacks, unions, records, tuples or async parts are left to valibot", () => {
  for (const [name, schema] of Object.entries(UNSUPPORTED)) {
    assert.equal(compileParser(schema), undefined, name);
  }
});

Deno.test("a schema that reaches itself through a getter is left to valibot instead of recursing forever", () => {
  const Node: AnySchema = v.object({
    id: v.number(),
    get next() {
      return v.optional(Node);
    },
  });
  assert.equal(compileParser(Node), undefined);
});

Deno.test("a schema whose getter throws while being compiled is left to valibot", () => {
  const schema = v.object({
    get broken(): AnySchema {
      throw new Error("no schema");
    },
  });
  assert.equal(compileParser(schema), undefined);
});

Deno.test("number rejects NaN and keeps -0 and ±Infinity, as valibot does", () => {
  const parse = compileParser(v.number())!;
  assert.equal(parse(NaN), FAIL);
  assert.ok(Object.is(parse(-0), -0));
  assert.equal(parse(Infinity), Infinity);
  assert.equal(parse(-Infinity), -Infinity);
});

Deno.test("a missing key is skipped only for optional, nullish and exactOptional entries; a present undefined is kept", () => {
  const schema = v.object({ o: v.optional(v.string()), n: v.nullish(v.string()), e: v.exactOptional(v.string()) });
  const parse = compileParser(schema)!;
  assert.deepEqual(Object.keys(parse({}) as object), []);
  assert.deepEqual(Object.keys(parse({ o: undefined, n: undefined }) as object), ["o", "n"]);
  assert.equal(parse({ e: undefined }), FAIL); // exactOptional: missing is fine, undefined is not a string
  for (const entry of [v.nullable(v.string()), v.undefined(), v.any(), v.unknown()]) {
    assert.equal(compileParser(v.object({ k: entry }))!({}), FAIL, `${entry.type} when missing`);
    assert.equal(v.safeParse(v.object({ k: entry }), {}).success, false);
  }
});

Deno.test("object schemas look keys up with `in`, so keys inherited from Object.prototype count as present", () => {
  const parse = compileParser(v.object({ toString: v.any(), a: v.optional(v.string()) }))!;
  assert.deepEqual(parse({}), { toString: Object.prototype.toString });
  assert.equal(compileParser(v.object({ toString: v.optional(v.string()) }))!({}), FAIL);
  assert.deepEqual(parse(Object.create({ a: "inherited" })), { toString: Object.prototype.toString, a: "inherited" });
});

Deno.test("objects accept arrays and class instances and return a new plain object with only the schema's keys", () => {
  const parse = compileParser(v.object({ length: v.number(), id: v.optional(v.number()) }))!;
  assert.deepEqual(parse([1, 2]), { length: 2 });
  const point = compileParser(v.object({ x: v.number(), id: v.number() }))!(new Point());
  assert.equal(Object.getPrototypeOf(point), Object.prototype);
  assert.deepEqual(point, { x: 1, id: 7 });
});

Deno.test("outputs are new objects and arrays, never the input", () => {
  const input = { id: 1, name: "n", price: 2, tags: ["a"], ok: true };
  const output = compileParser(Item)!(input) as typeof input;
  assert.notEqual(output, input);
  assert.notEqual(output.tags, input.tags);
  assert.deepEqual(output, input);
});

Deno.test("looseObject keeps unknown own keys but drops __proto__, constructor and prototype like valibot", () => {
  const schema = v.looseObject({ a: v.number() });
  const input = JSON.parse('{"a": 1, "__proto__": {"x": 1}, "constructor": 2, "prototype": 3, "b": 4}');
  const output = compileParser(schema)!(input) as object;
  assert.deepEqual(Object.keys(output), ["a", "b"]);
  assert.deepEqual(Object.keys(v.parse(schema, input)), ["a", "b"]);
});

Deno.test("query hands the handler the fast path's output and still reports valibot's issues", () => {
  const ctx = (args: unknown) => ({ args }) as unknown as PltsContext;
  const handler = query(Item, (args) => args);
  const args = { id: 1, name: "n", price: 2, tags: ["a"], ok: true, extra: 1 };
  assert.deepEqual(handler(ctx(args)), { id: 1, name: "n", price: 2, tags: ["a"], ok: true });
  assert.throws(
    () => handler(ctx({ ...args, id: NaN })),
    /^ValidationError: invalid arguments: id: expected number, received number$/,
  );
  const checked = query(v.object({}), () => ({ n: NaN }), { returns: v.object({ n: v.number() }) });
  assert.throws(() => checked(ctx({})), /invalid result: n: expected number, received number/);
});

Deno.test("an input holding the FAIL sentinel itself only costs the fallback to valibot, which accepts it", () => {
  const echo = query(v.object({ x: v.any() }), (args) => args, { returns: v.object({ x: v.any() }) });
  assert.deepEqual(echo({ args: { x: FAIL } } as unknown as PltsContext), { x: FAIL });
});
