/**
 * The plain-data description of an arguments schema that plts checks in Rust, on the jsonb argument itself,
 * before any JavaScript runs (`ext/plts/src/args_shape.rs`). QuickJS spends ~900 instructions per field
 * running even the compiled parser of `fast_parse.ts`; the check in Rust costs a few dozen.
 *
 * plts takes the native path only for a value valibot would accept and whose output would equal the value
 * itself, with its keys put in the schema's order: the handler then gets that value (which is also
 * `ctx.args`). Anything else (a wrong type, a key `v.object` drops, a key on `Object.prototype`) goes the
 * JavaScript way, so results and messages stay valibot's.
 *
 * A shape exists for the JSON part of `fast_parse.ts`'s subset: string, number, boolean, null, any, unknown,
 * string and finite-number literals and picklists, optional/nullable/nullish/exactOptional without a default,
 * array, and object, strictObject and looseObject of those.
 *
 * @module
 */

import { isPlainSchema, MAX_DEPTH, type SchemaNode } from "./fast_parse.ts";

/** What the Rust side reads (`type` as valibot names it). */
export type Shape =
  | { type: "string" | "number" | "boolean" | "null" | "any" }
  | { type: "literal"; value: string | number | boolean }
  | { type: "picklist"; options: (string | number)[] }
  | { type: "optional" | "nullable" | "nullish" | "exact_optional"; wrapped: Shape }
  | { type: "array"; item: Shape }
  | { type: "object" | "strict_object" | "loose_object"; entries: [string, Shape][] };

/**
 * The shape of `schema`, or `undefined` when plts must leave it to JavaScript.
 *
 * @param schema a valibot schema
 * @returns its shape, plain data that `JSON.stringify` writes losslessly
 *
 * @example The shape of an object schema
 * ```ts
 * import * as v from "valibot";
 * import { describeShape } from "./native_shape.ts";
 *
 * console.log(describeShape(v.object({ id: v.number() })));
 * // { type: "object", entries: [["id", { type: "number" }]] }
 * ```
 */
export function describeShape(schema: unknown): Shape | undefined {
  try {
    return shapeOf(schema as SchemaNode, 0);
  } catch {
    return undefined; // a getter in the schema threw: valibot will report it when the schema is used
  }
}

function shapeOf(schema: SchemaNode, depth: number): Shape | undefined {
  if (depth > MAX_DEPTH || !isPlainSchema(schema)) return undefined;
  switch (schema.type) {
    case "string":
    case "number":
    case "boolean":
    case "null":
    case "any":
      return { type: schema.type };
    case "unknown":
      return { type: "any" };
    case "literal":
      return isJsonScalar(schema.literal) ? { type: "literal", value: schema.literal } : undefined;
    case "picklist": {
      const options = schema.options;
      if (!Array.isArray(options) || !options.every((o) => typeof o !== "boolean" && isJsonScalar(o))) {
        return undefined;
      }
      return { type: "picklist", options: [...options] as (string | number)[] };
    }
    case "optional":
    case "nullable":
    case "nullish":
    case "exact_optional": {
      if (schema.default !== undefined) return undefined;
      const wrapped = shapeOf(schema.wrapped!, depth + 1);
      return wrapped && { type: schema.type, wrapped };
    }
    case "array": {
      const item = shapeOf(schema.item!, depth + 1);
      return item && { type: "array", item };
    }
    case "object":
    case "strict_object":
    case "loose_object":
      return objectShape(schema.type, schema.entries!, depth);
  }
  return undefined; // bigint and undefined: no JSON value is one
}

/**
 * Keys found on `Object.prototype` (`toString`, `constructor`, `__proto__`) are left to JavaScript: valibot
 * reads them with `in`, so a missing one counts as present there.
 */
function objectShape(
  type: "object" | "strict_object" | "loose_object",
  entries: Record<string, SchemaNode>,
  depth: number,
): Shape | undefined {
  if (typeof entries !== "object" || entries === null) return undefined;
  const shapes: [string, Shape][] = [];
  for (const key in entries) { // for...in, as valibot iterates the entries
    if (key in Object.prototype) return undefined;
    const shape = shapeOf(entries[key], depth + 1);
    if (!shape) return undefined;
    shapes.push([key, shape]);
  }
  return { type, entries: shapes };
}

/** A string or finite number (JSON's NaN and Infinity are `null`) or boolean. */
function isJsonScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "boolean" || Number.isFinite(value);
}
