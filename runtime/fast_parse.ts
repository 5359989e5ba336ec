/**
 * A fast path for valibot's `safeParse` on the common schema shapes. QuickJS interprets valibot's generic
 * `~run` machinery (datasets, issue bookkeeping) at about 1.4 µs per field; a parser compiled once per schema
 * into plain closures does the same checks without it.
 *
 * The compiled parser returns exactly valibot's output for a value valibot accepts, and {@linkcode FAIL}
 * otherwise; the caller then runs `v.safeParse` itself, so issues (and any disagreement) stay valibot's.
 * Schemas are read once, at compile time, and treated as immutable afterwards.
 *
 * @module
 */

import * as v from "valibot";

/** What a compiled parser returns instead of an output: run `v.safeParse` to learn why (or whether) it failed. */
export const FAIL: unique symbol = Symbol("fast_parse.FAIL");

/** A compiled parser: valibot's output for a value valibot accepts, else {@linkcode FAIL}. */
export type FastParser = (input: unknown) => unknown;

/** The fields of a valibot schema object this module reads. */
interface SchemaNode {
  kind?: unknown;
  type?: unknown;
  async?: unknown;
  reference?: unknown;
  default?: unknown;
  literal?: unknown;
  options?: unknown[];
  wrapped?: SchemaNode;
  item?: SchemaNode;
  entries?: Record<string, SchemaNode>;
}

/**
 * The constructor each supported `type` must come from: a schema object of the same `type` made otherwise
 * may run differently (the `*Async` variants share `type` too).
 */
const REFERENCES: Record<string, unknown> = {
  string: v.string,
  number: v.number,
  boolean: v.boolean,
  bigint: v.bigint,
  null: v.null,
  undefined: v.undefined,
  literal: v.literal,
  picklist: v.picklist,
  any: v.any,
  unknown: v.unknown,
  optional: v.optional,
  nullable: v.nullable,
  nullish: v.nullish,
  exact_optional: v.exactOptional,
  array: v.array,
  object: v.object,
  strict_object: v.strictObject,
  loose_object: v.looseObject,
};

/**
 * The own keys valibot's constructors give those schemas. `v.pipe`, `v.fallback` and `v.cache` copy a schema
 * (same `type` and `reference`) and add `pipe`, `fallback` or `cache`: any other key means unsupported.
 */
const KNOWN_KEYS = new Set([
  "kind",
  "type",
  "reference",
  "expects",
  "async",
  "message",
  "~run",
  "~standard",
  "literal",
  "options",
  "wrapped",
  "default",
  "item",
  "entries",
]);

/** Deeper schemas, and schemas that reach themselves through getters, are left to valibot. */
const MAX_DEPTH = 32;

/**
 * Compiles a valibot schema into a {@linkcode FastParser}, or returns `undefined` when the schema uses
 * anything beyond the supported subset: string, number, boolean, bigint, null, undefined, literal, picklist,
 * any, unknown, optional/nullable/nullish/exactOptional without a default, array, and object, strictObject
 * and looseObject of those. Pipes, transforms, unions, records, tuples, fallbacks and async schemas are not.
 *
 * @param schema a valibot schema
 * @returns a parser that agrees with `v.safeParse(schema, input)`, or `undefined`
 *
 * @example Parsing with the fast path and falling back to valibot
 * ```ts
 * import * as v from "valibot";
 * import { compileParser, FAIL } from "./fast_parse.ts";
 *
 * const Args = v.object({ id: v.number() });
 * const parse = compileParser(Args);
 * const input = { id: 1, extra: true };
 * const output = parse ? parse(input) : FAIL;
 * console.log(output !== FAIL ? output : v.parse(Args, input)); // { id: 1 }
 * ```
 */
export function compileParser(schema: v.GenericSchema): FastParser | undefined {
  try {
    return compile(schema as SchemaNode, 0);
  } catch {
    return undefined; // a getter in the schema threw: valibot will report it when the schema is used
  }
}

function compile(schema: SchemaNode, depth: number): FastParser | undefined {
  if (depth > MAX_DEPTH || !isPlainSchema(schema)) return undefined;
  switch (schema.type) {
    case "string":
      return parseString;
    case "number":
      return parseNumber;
    case "boolean":
      return parseBoolean;
    case "bigint":
      return parseBigint;
    case "null":
      return parseNull;
    case "undefined":
      return parseUndefined;
    case "any":
    case "unknown":
      return identity;
    case "literal":
      return literalParser(schema.literal);
    case "picklist":
      return Array.isArray(schema.options) ? picklistParser(schema.options) : undefined;
    case "optional":
    case "nullable":
    case "nullish":
    case "exact_optional":
      return schema.default === undefined ? wrapperParser(schema.type, compile(schema.wrapped!, depth + 1)) : undefined;
    case "array":
      return arrayParser(compile(schema.item!, depth + 1));
    case "object":
    case "strict_object":
    case "loose_object":
      return objectParser(schema.type, schema.entries!, depth);
  }
  return undefined;
}

/** A synchronous schema straight from one of the supported valibot constructors, with nothing added. */
function isPlainSchema(schema: SchemaNode): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  if (schema.kind !== "schema" || schema.async !== false) return false;
  const type = schema.type;
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(REFERENCES, type)) return false;
  if (schema.reference !== REFERENCES[type]) return false;
  return Object.keys(schema).every((key) => KNOWN_KEYS.has(key));
}

const parseString: FastParser = (input) => typeof input === "string" ? input : FAIL;
// valibot's number() rejects NaN but accepts -0 and ±Infinity.
const parseNumber: FastParser = (input) => typeof input === "number" && input === input ? input : FAIL;
const parseBoolean: FastParser = (input) => typeof input === "boolean" ? input : FAIL;
const parseBigint: FastParser = (input) => typeof input === "bigint" ? input : FAIL;
const parseNull: FastParser = (input) => input === null ? input : FAIL;
const parseUndefined: FastParser = (input) => input === undefined ? input : FAIL;
const identity: FastParser = (input) => input;

/** valibot compares literals with SameValueZero: `literal(NaN)` accepts NaN, `literal(0)` accepts -0. */
function literalParser(literal: unknown): FastParser {
  if (literal !== literal) return (input) => input !== input ? input : FAIL;
  return (input) => input === literal ? input : FAIL;
}

/** `includes` is SameValueZero too, as in valibot. */
function picklistParser(options: unknown[]): FastParser {
  return (input) => options.includes(input) ? input : FAIL;
}

/** optional/nullable/nullish pass their empty values through unchanged; exactOptional only matters in objects. */
function wrapperParser(type: string, wrapped: FastParser | undefined): FastParser | undefined {
  if (!wrapped) return undefined;
  switch (type) {
    case "optional":
      return (input) => input === undefined ? input : wrapped(input);
    case "nullable":
      return (input) => input === null ? input : wrapped(input);
    case "nullish":
      return (input) => input === null || input === undefined ? input : wrapped(input);
  }
  return wrapped;
}

/** Like valibot, a new array of the parsed items; holes read as `undefined`. */
function arrayParser(item: FastParser | undefined): FastParser | undefined {
  if (!item) return undefined;
  return (input) => {
    if (!Array.isArray(input)) return FAIL;
    const output: unknown[] = [];
    for (let index = 0; index < input.length; index++) {
      const value = item(input[index]);
      if (value === FAIL) return FAIL;
      output.push(value);
    }
    return output;
  };
}

/** One entry of an object schema, compiled. */
interface Entry {
  key: string;
  parse: FastParser;
  /** valibot skips a missing key (not a present `undefined`) whose schema is optional, nullish or exactOptional. */
  mayBeMissing: boolean;
}

/**
 * A new object with the schema's keys in the schema's order. Like valibot: any non-null object is accepted
 * (arrays, class instances), keys are looked up with `in` (inherited ones count) and assigned with `=`.
 */
function objectParser(type: string, entries: Record<string, SchemaNode>, depth: number): FastParser | undefined {
  if (typeof entries !== "object" || entries === null) return undefined;
  const compiled: Entry[] = [];
  for (const key in entries) { // for...in, as valibot iterates the entries
    const schema = entries[key];
    const parse = compile(schema, depth + 1);
    if (!parse) return undefined;
    const mayBeMissing = schema.type === "optional" || schema.type === "nullish" || schema.type === "exact_optional";
    compiled.push({ key, parse, mayBeMissing });
  }
  const parseEntries = entriesParser(compiled);
  if (type === "strict_object") {
    return (input) => {
      const output = parseEntries(input);
      return output === FAIL || hasUnknownKey(input as object, entries) ? FAIL : output;
    };
  }
  if (type === "loose_object") {
    return (input) => {
      const output = parseEntries(input);
      if (output !== FAIL) {
        copyUnknownKeys(input as Record<string, unknown>, entries, output as Record<string, unknown>);
      }
      return output;
    };
  }
  return parseEntries;
}

function entriesParser(entries: Entry[]): FastParser {
  return (input) => {
    if (!input || typeof input !== "object") return FAIL;
    const output: Record<string, unknown> = {};
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      const key = entry.key;
      // One lookup for the common present key; `in` only tells a missing key from a present undefined
      // (valibot asks `in` first: only a Proxy could tell the difference).
      const raw = (input as Record<string, unknown>)[key];
      if (raw === undefined && !(key in input)) {
        if (entry.mayBeMissing) continue;
        return FAIL;
      }
      const value = entry.parse(raw);
      if (value === FAIL) return FAIL;
      output[key] = value;
    }
    return output;
  };
}

/** strictObject rejects any enumerable key, own or inherited, that is not an entry. */
function hasUnknownKey(input: object, entries: object): boolean {
  for (const key in input) if (!Object.prototype.hasOwnProperty.call(entries, key)) return true;
  return false;
}

/** looseObject copies the other own keys, except the ones valibot drops against prototype pollution. */
function copyUnknownKeys(input: Record<string, unknown>, entries: object, output: Record<string, unknown>): void {
  for (const key in input) {
    if (
      Object.prototype.hasOwnProperty.call(input, key) && key !== "__proto__" && key !== "prototype" &&
      key !== "constructor" && !Object.prototype.hasOwnProperty.call(entries, key)
    ) output[key] = input[key];
  }
}
