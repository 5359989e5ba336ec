/**
 * A fast path for valibot's `safeParse` on the common schema shapes. QuickJS interprets valibot's generic
 * `~run` machinery (datasets, issue bookkeeping) at about 1.4 µs per field. Each schema is compiled once into
 * the source of one function with the checks inlined (property names as literals, an object literal for the
 * output), which QuickJS runs several times faster than walking the schema or a tree of closures. Where code
 * cannot be generated at run time (`new Function` forbidden), the wrappers simply use valibot.
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

/** The fields of a valibot schema object this module (and `native_shape.ts`) reads. */
export interface SchemaNode {
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

/** The generated statement for an input that does not fit, wherever in the value it is. */
const FAILED = "return onFail(input);";

/** Keys that can follow a dot (reserved words can too, since ES5). */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Deeper schemas, and schemas that reach themselves through getters, are left to valibot. */
export const MAX_DEPTH = 32;

/**
 * Compiles a valibot schema into a {@linkcode FastParser}, or returns `undefined` when the schema uses
 * anything beyond the supported subset: string, number, boolean, bigint, null, undefined, literal, picklist,
 * any, unknown, optional/nullable/nullish/exactOptional without a default, array, and object, strictObject
 * and looseObject of those. Pipes, transforms, unions, records, tuples, fallbacks and async schemas are not.
 *
 * @param schema a valibot schema
 * @param onFail what the parser returns for an input it does not accept (`onFail(input)`): by default
 *   {@linkcode FAIL}; the wrappers pass valibot itself, which saves a call per parse
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
export function compileParser(
  schema: v.GenericSchema,
  onFail: (input: unknown) => unknown = () => FAIL,
): FastParser | undefined {
  const source = new Source();
  let output: string | undefined;
  try {
    output = source.emit(schema as SchemaNode, "input", 0);
  } catch {
    return undefined; // a getter in the schema threw: valibot will report it when the schema is used
  }
  if (output === undefined) return undefined;
  // QuickJS frees an object shape with the last object using it and builds it again for the next;
  // objects with the same key prefixes, kept alive by the parser, keep the output's shapes.
  const text =
    `"use strict";\nconst parse = function parse(input) {\n${source.lines.join("\n")}\nreturn ${output};\n};\n` +
    `parse.shapes = [{}, ${source.shapes.join(", ")}];\nreturn parse;`;
  try {
    return new Function("onFail", "K", text)(onFail, source.constants) as FastParser;
  } catch {
    return undefined; // no code generation here (a content security policy): valibot parses alone
  }
}

/**
 * The body of one parser being generated. Each `emit` appends statements that check the value in a variable
 * (`return onFail(input)` when it does not fit) and returns the name of the variable that holds the output. Schema
 * values never become code: keys are JSON string literals, literals and picklists are constants in `K`.
 */
class Source {
  readonly lines: string[] = [];
  readonly constants: unknown[] = [];
  /** Object literals with the output objects' key prefixes, made once and kept with the parser (below). */
  readonly shapes: string[] = [];
  #names = 0;

  emit(schema: SchemaNode, input: string, depth: number): string | undefined {
    if (depth > MAX_DEPTH || !isPlainSchema(schema)) return undefined;
    switch (schema.type) {
      case "string":
      case "boolean":
      case "bigint":
        return this.check(`typeof ${input} !== "${schema.type}"`, input);
      case "number": // valibot's number() rejects NaN but accepts -0 and ±Infinity
        return this.check(`typeof ${input} !== "number" || ${input} !== ${input}`, input);
      case "null":
        return this.check(`${input} !== null`, input);
      case "undefined":
        return this.check(`${input} !== undefined`, input);
      case "any":
      case "unknown":
        return input;
      case "literal": // SameValueZero, as in valibot: literal(NaN) accepts NaN, literal(0) accepts -0
        if (schema.literal !== schema.literal) return this.check(`${input} === ${input}`, input);
        return this.check(`${input} !== ${this.constant(schema.literal)}`, input);
      case "picklist": // includes() is SameValueZero too
        if (!Array.isArray(schema.options)) return undefined;
        return this.check(`!${this.constant(schema.options)}.includes(${input})`, input);
      case "optional":
        return schema.default === undefined ? this.unless(`${input} === undefined`, schema, input, depth) : undefined;
      case "nullable":
        return schema.default === undefined ? this.unless(`${input} === null`, schema, input, depth) : undefined;
      case "nullish":
        return schema.default === undefined
          ? this.unless(`${input} === null || ${input} === undefined`, schema, input, depth)
          : undefined;
      case "exact_optional": // only matters to the object holding it: a missing key may be skipped
        return schema.default === undefined ? this.emit(schema.wrapped!, input, depth + 1) : undefined;
      case "array":
        return this.array(schema.item!, input, depth);
      case "object":
      case "strict_object":
      case "loose_object":
        return this.object(schema.type, schema.entries!, input, depth);
    }
    return undefined;
  }

  private name(prefix: string): string {
    return `${prefix}${this.#names++}`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  private check(failsWhen: string, input: string): string {
    this.lines.push(`if (${failsWhen}) ${FAILED}`);
    return input;
  }

  /** optional/nullable/nullish: their empty values pass through unchanged, others go to the wrapped schema. */
  private unless(passesWhen: string, schema: SchemaNode, input: string, depth: number): string | undefined {
    const output = this.name("w");
    this.lines.push(`let ${output} = ${input};`, `if (!(${passesWhen})) {`);
    const wrapped = this.emit(schema.wrapped!, input, depth + 1);
    if (wrapped === undefined) return undefined;
    this.lines.push(`${output} = ${wrapped};`, `}`);
    return output;
  }

  /** Like valibot, a new array of the parsed items; holes read as `undefined`. */
  private array(item: SchemaNode, input: string, depth: number): string | undefined {
    const [output, index, value] = [this.name("a"), this.name("i"), this.name("v")];
    this.lines.push(
      `if (!${this.constant(Array.isArray)}(${input})) ${FAILED}`,
      `const ${output} = [];`,
      `for (let ${index} = 0; ${index} < ${input}.length; ${index}++) {`,
      `const ${value} = ${input}[${index}];`,
    );
    const parsed = this.emit(item, value, depth + 1);
    if (parsed === undefined) return undefined;
    this.lines.push(`${output}[${index}] = ${parsed};`, `}`);
    return output;
  }

  /**
   * A new object with the schema's keys in the schema's order. Like valibot: any non-null object is accepted
   * (arrays, class instances), keys are looked up with `in` (inherited ones count), and a missing key is
   * skipped only when its schema is optional, nullish or exactOptional (a present `undefined` is kept).
   */
  private object(type: string, entries: Record<string, SchemaNode>, input: string, depth: number): string | undefined {
    if (typeof entries !== "object" || entries === null) return undefined;
    this.lines.push(`if (!${input} || typeof ${input} !== "object") ${FAILED}`);
    const fields: { key: string; value: string; present?: string }[] = [];
    for (const key in entries) { // for...in, as valibot iterates the entries
      const schema = entries[key];
      const literal = JSON.stringify(key);
      const raw = this.name("v");
      // One read for the common present key; `in` only tells a missing key from a present undefined.
      // `input.id` reads by an atom fixed at compile time; QuickJS converts `input["id"]` on each run.
      const read = IDENTIFIER.test(key) ? `${input}.${key}` : `${input}[${literal}]`;
      this.lines.push(`const ${raw} = ${read};`);
      const mayBeMissing = schema?.type === "optional" || schema?.type === "nullish" ||
        schema?.type === "exact_optional";
      if (!mayBeMissing) {
        this.lines.push(`if (${raw} === undefined && !(${literal} in ${input})) ${FAILED}`);
        const value = this.emit(schema, raw, depth + 1);
        if (value === undefined) return undefined;
        fields.push({ key: literal, value });
        continue;
      }
      const [present, value] = [this.name("p"), this.name("w")];
      this.lines.push(`const ${present} = ${raw} !== undefined || ${literal} in ${input};`, `let ${value};`);
      this.lines.push(`if (${present}) {`);
      const parsed = this.emit(schema, raw, depth + 1);
      if (parsed === undefined) return undefined;
      this.lines.push(`${value} = ${parsed};`, `}`);
      fields.push({ key: literal, value, present });
    }
    // The leading always-present keys in one literal; the rest assigned in order, as valibot assigns
    // (`__proto__` too: assigning it sets the prototype, as in valibot).
    const output = this.name("o");
    let leading = 0;
    while (leading < fields.length && !fields[leading].present && fields[leading].key !== '"__proto__"') leading++;
    this.lines.push(`const ${output} = {${fields.slice(0, leading).map((f) => `${f.key}: ${f.value}`).join(", ")}};`);
    for (let n = 1; n <= leading; n++) this.shapes.push(`{${fields.slice(0, n).map((f) => `${f.key}: 0`).join(", ")}}`);
    for (const field of fields.slice(leading)) {
      const assign = `${output}[${field.key}] = ${field.value};`;
      this.lines.push(field.present ? `if (${field.present}) ${assign}` : assign);
    }
    const known = this.constant(entries);
    const hasOwn = this.constant(Object.prototype.hasOwnProperty);
    const key = this.name("k");
    if (type === "strict_object") {
      // Any enumerable key, own or inherited, that is not an entry.
      this.lines.push(`for (const ${key} in ${input}) if (!${hasOwn}.call(${known}, ${key})) ${FAILED}`);
    } else if (type === "loose_object") {
      // The other own keys, except the ones valibot drops against prototype pollution.
      this.lines.push(
        `for (const ${key} in ${input}) {`,
        `if (${hasOwn}.call(${input}, ${key}) && ${key} !== "__proto__" && ${key} !== "prototype" &&`,
        `${key} !== "constructor" && !${hasOwn}.call(${known}, ${key})) ${output}[${key}] = ${input}[${key}];`,
        `}`,
      );
    }
    return output;
  }
}

/** A synchronous schema straight from one of the supported valibot constructors, with nothing added. */
export function isPlainSchema(schema: SchemaNode): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  if (schema.kind !== "schema" || schema.async !== false) return false;
  const type = schema.type;
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(REFERENCES, type)) return false;
  if (schema.reference !== REFERENCES[type]) return false;
  return Object.keys(schema).every((key) => KNOWN_KEYS.has(key));
}
