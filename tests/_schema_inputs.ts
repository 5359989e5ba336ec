/**
 * Inputs for checking validators against valibot: every JS kind, inherited and dangerous keys, holes
 * (`edgeInputs`), arbitrary values (`randomValue`) and values shaped by a schema with seeded random
 * mistakes (`sample`). Shared by the fast parser's test, the native arguments check's test and the `returns` test.
 *
 * @module
 */
import type * as v from "valibot";

type AnySchema = v.GenericSchema;

/** Mulberry32: a small seeded PRNG, so failures reproduce. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

export class Point {
  x = 1;
  get id(): number {
    return 7;
  }
}

const KEYS = ["a", "b", "id", "name", "tags", "ok", "extra", "toString", "constructor", "__proto__", "0", "length"];
const PRIMITIVES: readonly unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  -1.5,
  NaN,
  Infinity,
  -Infinity,
  "",
  "a",
  "b",
  "toString",
  true,
  false,
  0n,
  1n,
  Symbol("s"),
];

/** Inputs that probe each schema's edges: every JS kind, inherited and dangerous keys, holes. */
export function edgeInputs(): unknown[] {
  const withExtra = Object.assign([1, 2], { a: 1 });
  return [
    ...PRIMITIVES,
    () => 1,
    [],
    [1],
    ["a", "b"],
    [1, "a"],
    [undefined],
    // deno-lint-ignore no-sparse-arrays
    [, 1],
    new Array(2),
    withExtra,
    {},
    { a: 1 },
    { a: 1, b: "x" },
    { a: 1, b: undefined },
    { a: 1, b: "x", c: true },
    { a: undefined },
    { id: 1, name: "n", price: 2.5, tags: ["t"], ok: true },
    { id: 1, name: "n", price: 2.5, tags: ["t"], ok: true, extra: 1 },
    { id: -0, name: "", price: Infinity, tags: [], ok: false },
    { id: NaN, name: "n", price: 2.5, tags: ["t"], ok: true },
    { id: 1, name: "n", price: 2.5, tags: ["t", 1], ok: true },
    { id: 1, name: "n", price: 2.5, ok: true },
    { id: 1, name: "n", price: 2.5, tags: ["t"], ok: "true" },
    new Date(0),
    new Point(),
    new Map([["a", 1]]),
    new String("ab"),
    Object.create(null),
    Object.assign(Object.create(null), { a: 1, id: 2 }),
    Object.create({ a: 1, b: "inherited", id: 3 }),
    JSON.parse('{"__proto__": {"a": "x"}, "a": 1}'),
    JSON.parse('{"__proto__": null}'),
    JSON.parse('{"__proto__": "s", "constructor": "c", "prototype": 1, "a": 2}'),
    { toString: "x", valueOf: 1, constructor: "c", hasOwnProperty: 3, length: 4, 0: "zero" },
    { valueOf: undefined },
    { 2: 1, b: "x", 1: null },
    { optional: undefined, nullable: null, nullish: undefined, exact: undefined, undef: undefined, any: 1, unknown: 2 },
    { nullable: null, undef: undefined, any: 1, unknown: 2 },
    { optional: "x", nullable: "y", nullish: null, exact: "z", undef: undefined, any: undefined, unknown: undefined },
  ];
}

/** Any JS value, up to a small depth. */
export function randomValue(random: () => number, depth: number): unknown {
  const roll = random();
  if (depth > 2 || roll < 0.5) return pick(random, PRIMITIVES);
  if (roll < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = random() < 0.1 ? Object.create({ a: "inherited" }) : {};
  const count = Math.floor(random() * 4);
  for (let i = 0; i < count; i++) setKey(object, pick(random, KEYS), randomValue(random, depth + 1));
  return object;
}

/** An own property even for `__proto__`, as `JSON.parse` makes it (but an array keeps its length). */
function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  if (Array.isArray(object) && key === "length") return;
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A value shaped by the schema (so many are valid), with a random mistake at each level at the rate `noise`. */
export function sample(schema: AnySchema, random: () => number, noise: number, depth = 0): unknown {
  if (random() < noise) return randomValue(random, depth + 1);
  const s = schema as unknown as Record<string, unknown> & { type: string };
  switch (s.type) {
    case "string":
      return pick(random, ["", "a", "toString", "ünï"]);
    case "number":
      return pick(random, [0, -0, 1, 2.5, -3, Infinity, -Infinity, Number.MAX_VALUE]);
    case "boolean":
      return random() < 0.5;
    case "bigint":
      return pick(random, [0n, -1n, 2n ** 70n]);
    case "null":
      return null;
    case "undefined":
    case "any":
    case "unknown":
      return random() < 0.5 ? undefined : randomValue(random, depth + 1);
    case "literal":
      return random() < 0.2 ? -0 : s.literal;
    case "picklist":
      return pick(random, s.options as unknown[]);
    case "optional":
    case "nullable":
    case "nullish":
    case "exact_optional":
      if (random() < 0.3) return pick(random, [undefined, null]);
      return sample(s.wrapped as AnySchema, random, noise, depth + 1);
    case "union":
      return sample(pick(random, s.options as AnySchema[]), random, noise, depth + 1);
    case "array":
      return Array.from(
        { length: Math.floor(random() * 4) },
        () => sample(s.item as AnySchema, random, noise, depth + 1),
      );
    default:
      return sampleObject(s.entries as Record<string, AnySchema>, random, noise, depth);
  }
}

function sampleObject(entries: Record<string, AnySchema>, random: () => number, noise: number, depth: number): unknown {
  const base = random() / noise; // unusual bases (arrays, inherited keys) only as often as mistakes
  const object: Record<string, unknown> = base < 0.5
    ? [] as unknown as Record<string, unknown>
    : base < 1
    ? Object.create({ b: "inherited" })
    : {};
  for (const key in entries) {
    if (random() < noise * 2) continue; // missing: fine only for optional kinds
    setKey(object, key, random() < noise ? undefined : sample(entries[key], random, noise, depth + 1));
  }
  if (random() < noise * 3) setKey(object, pick(random, KEYS), randomValue(random, depth + 1));
  return object;
}
