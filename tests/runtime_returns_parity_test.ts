/**
 * The wrappers' `returns` check inside PostgreSQL against valibot in Deno: for over a thousand seeded random
 * valibot schemas (objects of the three kinds, arrays, optional kinds with and without defaults, unions, the
 * JSON leaves, pipes with checks and transforms) and dozens to hundreds of values each, over 100,000 cases in
 * all, a plts function whose handler returns the value it is given, with `returns: <schema>`, ends every call
 * as `v.safeParse(schema, value)` decides: valibot's output (as jsonb) when it accepts, `22023` and the message
 * of valibot's issues when it refuses.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { ValidationError } from "../runtime/wrappers.ts";
import postgres from "postgres";
import { withDatabase } from "./harness.ts";
import { edgeInputs, pick, prng, sample } from "./_schema_inputs.ts";

// ---------------------------------------------------------------- random schemas, as source text

const LEAVES = [
  "v.string()",
  "v.number()",
  "v.boolean()",
  "v.null()",
  "v.any()",
  "v.unknown()",
  'v.literal("a")',
  'v.literal("")',
  "v.literal(0)",
  "v.literal(1)",
  "v.literal(true)",
  "v.literal(false)",
  'v.picklist(["a", "b"])',
  "v.picklist([0, 1, 2.5])",
  'v.picklist(["a", 1, ""])',
];

/** Pipes of a leaf: checks (which refuse) and transforms (whose output is not the value). */
const PIPES = [
  "v.pipe(v.string(), v.minLength(1))",
  "v.pipe(v.string(), v.maxLength(1))",
  "v.pipe(v.string(), v.nonEmpty(), v.toUpperCase())",
  "v.pipe(v.string(), v.trim())",
  "v.pipe(v.string(), v.transform((s) => s.length))",
  "v.pipe(v.number(), v.integer())",
  "v.pipe(v.number(), v.minValue(0))",
  "v.pipe(v.number(), v.finite())",
  "v.pipe(v.number(), v.transform((n) => n * 2))",
  'v.pipe(v.boolean(), v.transform((b) => (b ? "yes" : null)))',
];

/** Defaults of the optional kinds: JSON values, an object, a function. */
const DEFAULTS = ['"d"', "0", "null", "[]", "{ d: [1] }", '() => "f"'];

/** Object keys: plain, integer-like, non-ASCII, and names valibot and JS treat specially. */
const OBJECT_KEYS = ["a", "b", "id", "name", "é", "2", "0", "toString", "constructor", "length", "__proto__"];

/** A random schema's source text; the same text is the schema in Deno and in the plts function. */
function schemaSource(random: () => number, depth = 0): string {
  const roll = random();
  if (depth >= 3 || roll < 0.25) return random() < 0.3 ? pick(random, PIPES) : pick(random, LEAVES);
  const inner = () => schemaSource(random, depth + 1);
  if (roll < 0.45) {
    const kind = pick(random, ["optional", "nullable", "nullish", "exactOptional"]);
    return random() < 0.3 ? `v.${kind}(${inner()}, ${pick(random, DEFAULTS)})` : `v.${kind}(${inner()})`;
  }
  if (roll < 0.6) {
    const array = `v.array(${inner()})`;
    return random() < 0.2 ? `v.pipe(${array}, ${pick(random, ["v.minLength(1)", "v.maxLength(2)"])})` : array;
  }
  if (roll < 0.9) {
    const keys = new Set(Array.from({ length: Math.floor(random() * 5) }, () => pick(random, OBJECT_KEYS)));
    // A computed key: `__proto__: x` in a literal would set the prototype instead of making an entry.
    const entries = [...keys].map((key) => `[${JSON.stringify(key)}]: ${inner()}`);
    return `v.${pick(random, ["object", "looseObject", "strictObject"])}({ ${entries.join(", ")} })`;
  }
  if (roll < 0.95) return `v.union([${inner()}, ${inner()}])`;
  return `v.pipe(${inner()}, ${pick(random, ["v.transform((x) => [x])", "v.transform((x) => ({ x }))"])})`;
}

function evalSchema(source: string): v.GenericSchema {
  return new Function("v", `return ${source};`)(v) as v.GenericSchema;
}

// ---------------------------------------------------------------- values

const SAMPLES_PER_SCHEMA = 600;

/**
 * The jsonb text of the call's argument `{ value }` (`{}` when the value is `undefined`), without repeats: every
 * distinct sample valibot accepts, and as many it refuses (samples first, then the edge inputs) plus 20. Most
 * random values fail a random schema somewhere, and inside PostgreSQL a refusal costs far more than an acceptance
 * (an error, a subtransaction rolled back, a JS garbage collection), so keeping all would spend most of the run
 * on refusals.
 */
function argumentTexts(source: string, schema: v.GenericSchema, random: () => number): string[] {
  const values: unknown[] = [];
  for (let i = 0; i < SAMPLES_PER_SCHEMA; i++) values.push(sample(schema, random, i % 2 === 0 ? 0.08 : 0.01));
  values.push(...edgeInputs());
  const texts = new Set<string>();
  for (const value of values) {
    try {
      const text = JSON.stringify({ value });
      if (text !== undefined) texts.add(text);
    } catch {
      // a BigInt: not JSON
    }
  }
  const verdicts = references(source, schema, [...texts]);
  const accepted = [...texts].filter((_, i) => verdicts[i].success);
  const refused = [...texts].filter((_, i) => !verdicts[i].success);
  return [...accepted, ...refused.slice(0, accepted.length + 20)];
}

/** valibot's verdict on each argument's `value`, as standard JavaScript (QuickJS) runs it. */
function references(source: string, schema: v.GenericSchema, texts: string[]) {
  const parse = () => texts.map((text) => v.safeParse(schema, JSON.parse(text).value));
  if (!source.includes("__proto__") && !texts.some((text) => text.includes('"__proto__"'))) return parse();
  return withStandardProto(parse);
}

/**
 * Runs `fn` as in standard JavaScript: Deno removes `Object.prototype.__proto__`, so there valibot's
 * `output.__proto__ = value` (an entry or a looseObject key named `__proto__`) makes an own key instead of setting
 * the prototype, and `"__proto__" in entries` is false for every schema. The accessor is put back only while `fn`
 * runs, and only for a schema or values with such a key: changing `Object.prototype` slows V8 down.
 */
function withStandardProto<T>(fn: () => T): T {
  Object.defineProperty(Object.prototype, "__proto__", {
    configurable: true,
    get(this: object) {
      return Object.getPrototypeOf(this);
    },
    set(this: object, proto: unknown) {
      if (Object(this) === this && (typeof proto === "object" || typeof proto === "function")) {
        Object.setPrototypeOf(this, proto as object | null);
      }
    },
  });
  try {
    return fn();
  } finally {
    delete (Object.prototype as { __proto__?: unknown }).__proto__;
  }
}

// ---------------------------------------------------------------- tests

Deno.test("the random schemas cover every kind, pipe and default, and nest", () => {
  const random = prng(1);
  const sources = Array.from({ length: 300 }, () => schemaSource(random));
  const all = sources.join(" ");
  const parts = [...LEAVES, ...PIPES, ...DEFAULTS.map((d) => `, ${d})`), "v.union(", "v.transform((x) =>"];
  for (const kind of ["optional", "nullable", "nullish", "exactOptional", "array", "looseObject", "strictObject"]) {
    parts.push(`v.${kind}(`);
  }
  for (const part of parts) assert.ok(all.includes(part), `${part} never generated`);
  assert.ok(sources.some((s) => /v\.object\(\{ [^}]*v\.array\(v\.\w*[oO]bject\(/.test(s)), "no nesting");
  for (const source of sources) assert.equal(typeof evalSchema(source)["~run"], "function", source);
});

/** What the PL/pgSQL wrapper answered for one argument. */
interface Answer {
  ok?: unknown;
  sqlnull?: boolean;
  sqlstate?: string;
  message?: string;
}

/**
 * Schemas called on one connection before it is replaced: plts runs a full JS garbage collection after every
 * failed call (`engine/runtime.rs`, `call`), whose cost grows with the modules the backend has loaded, so a
 * backend that has run hundreds of functions refuses slowly (about 3 ms a refusal after 200).
 */
const SCHEMAS_PER_CONNECTION = 20;

Deno.test("inside PostgreSQL a handler's result ends as valibot decides for its returns schema", () =>
  withDatabase("returns_parity", async ({ sql, url }) => {
    const started = performance.now();
    await sql`create extension plts`;
    const random = prng(20);
    const schemas: { source: string; schema: v.GenericSchema; texts: string[] }[] = [];
    let total = 0;
    while (total < 100_000) {
      const source = schemaSource(random);
      const schema = evalSchema(source);
      const texts = argumentTexts(source, schema, random);
      schemas.push({ source, schema, texts });
      total += texts.length;
    }
    const generated = performance.now();
    // One function per schema, and a PL/pgSQL wrapper that turns its error into data. `sqlnull` tells SQL NULL
    // (valibot's output `null` or `undefined`) from jsonb `null` (`Infinity`, as `JSON.stringify` writes it).
    const definitions = schemas.map(({ source }, index) => `
      create function returns_${index}(args jsonb) returns jsonb language plts as $plts$
        import { query, v } from "@stopgap/runtime";
        export default query(v.object({ value: v.optional(v.unknown()) }), (args) => args.value, {
          returns: ${source},
        });
      $plts$;
      create function try_returns_${index}(x jsonb) returns jsonb language plpgsql as $$
        declare r jsonb;
        begin
          r := returns_${index}(x);
          return jsonb_build_object('ok', r, 'sqlnull', r is null);
        exception when others then
          return jsonb_build_object('sqlstate', sqlstate, 'message', sqlerrm);
        end $$;`);
    for (let i = 0; i < definitions.length; i += 100) await sql.unsafe(definitions.slice(i, i + 100).join(""));
    const created = performance.now();

    let accepted = 0;
    let refused = 0;
    const mismatches: string[] = [];
    const check = async (client: postgres.Sql, index: number) => {
      const { source, schema, texts } = schemas[index];
      const rows = await client.unsafe(
        `select try_returns_${index}(x) as r, x::text as arg
         from jsonb_array_elements($1::text::jsonb) with ordinality as t(x, n) order by n`,
        [`[${texts.join(",")}]`],
      );
      const answers = rows as unknown as { r: Answer; arg: string }[];
      // jsonb is what both sides see: its numbers, not the text's.
      const verdicts = references(source, schema, answers.map(({ arg }) => arg));
      for (const [i, { r, arg }] of answers.entries()) {
        const expected = verdicts[i];
        const mismatch = (what: string) => mismatches.push(`${source} on ${arg}: ${what}`);
        if (r.sqlstate !== undefined) {
          refused++;
          if (expected.success) mismatch(`refused in PostgreSQL (${r.sqlstate} ${r.message}), valibot accepts`);
          else if (r.sqlstate !== "22023") mismatch(`SQLSTATE ${r.sqlstate} (${r.message}), not 22023`);
          else if (r.message !== new ValidationError("result", expected.issues).message) {
            mismatch(
              `message ${r.message}, valibot's issues: ${new ValidationError("result", expected.issues).message}`,
            );
          }
          continue;
        }
        accepted++;
        if (!expected.success) {
          mismatch(`accepted in PostgreSQL (${JSON.stringify(r.ok)}), valibot refuses`);
          continue;
        }
        const sqlnull = expected.output === null || expected.output === undefined;
        if (r.sqlnull !== sqlnull) mismatch(`SQL NULL ${r.sqlnull}, valibot's output ${expected.output}`);
        else if (!sqlnull) {
          try {
            assert.deepStrictEqual(r.ok, JSON.parse(JSON.stringify(expected.output)));
          } catch {
            mismatch(`returned ${JSON.stringify(r.ok)}, valibot's output ${JSON.stringify(expected.output)}`);
          }
        }
      }
    };
    // Two connections at a time (one per core); Deno compares one batch while PostgreSQL runs the next.
    let next = 0;
    const worker = async () => {
      while (next < schemas.length) {
        const client = postgres(url, { max: 1, onnotice: () => {} });
        try {
          for (let n = 0; n < SCHEMAS_PER_CONNECTION && next < schemas.length; n++) await check(client, next++);
        } finally {
          await client.end({ timeout: 5 });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `${accepted + refused} cases (${schemas.length} schemas): ${accepted} accepted, ${refused} refused; ` +
        `${seconds(generated - started)} s generating, ${seconds(created - generated)} s creating, ${
          seconds(performance.now() - created)
        } s calling and comparing`,
    );
    assert.equal(accepted + refused, total);
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
    assert.ok(accepted > total / 4 && refused > total / 4, `${accepted} accepted, ${refused} refused`);
  }));
