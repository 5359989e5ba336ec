/**
 * `query` and `mutation`: handlers with validated, typed arguments (valibot schemas), like Convex's.
 * The wrapped value is the plts entry point itself (`export default query(...)`) and carries its
 * metadata: kind, schemas and a JSON Schema of the arguments.
 *
 * Inside PostgreSQL a `query` runs read-only, enforced by the database: plts sees `kind === "query"` on
 * the default export and runs the call with a read-only `ctx.db` in a read-only transaction state.
 *
 * @module
 */

import * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";
import type { Db, PltsContext, ReadDb } from "./context.ts";
import { compileParser } from "./fast_parse.ts";
import { describeShape } from "./native_shape.ts";
import { asValibot, type InferOutput, type Issue, type Schema } from "./schema.ts";

/** The context a query handler gets: `db` can only read. */
export type QueryCtx = PltsContext<unknown, ReadDb>;
/** The context a mutation handler gets: `db` reads and writes. */
export type MutationCtx = PltsContext<unknown, Db>;

/** Options of {@linkcode query} and {@linkcode mutation}. */
export interface WrapperOptions<R> {
  /** Validates the handler's result; an invalid result is an error, not a wrong answer. */
  returns?: Schema<R>;
}

/** A wrapped handler: the plts entry point plus its metadata. */
export interface Wrapped<K extends "query" | "mutation", S extends Schema, R> {
  /** Called by plts (or {@linkcode callLocal}) with the context; validates `ctx.args` first. */
  (ctx: PltsContext<unknown, K extends "query" ? ReadDb : Db>): R | Promise<R>;
  /** `query` (read-only) or `mutation`. */
  readonly kind: K;
  /** The valibot schema of the arguments. */
  readonly args: S;
  /** The valibot schema of the result, when given. */
  readonly returns: Schema | undefined;
  /** JSON Schema (draft-07) of the arguments, for the CLI and typed clients. */
  readonly argsJsonSchema: Record<string, unknown>;
}

/**
 * Invalid arguments (or an invalid result): one line per issue, `path: what was wrong`.
 * Inside PostgreSQL the call fails with SQLSTATE `22023` (invalid_parameter_value) and this message.
 *
 * @example Turning valibot's issues into an error
 * ```ts
 * import { v, ValidationError } from "./mod.ts";
 *
 * const parsed = v.safeParse(v.object({ id: v.number() }), { id: "1" });
 * if (!parsed.success) {
 *   const error = new ValidationError("arguments", parsed.issues);
 *   console.log(error.message); // "invalid arguments: id: expected number, received string"
 *   console.log(error.sqlstate); // "22023"
 * }
 * ```
 */
export class ValidationError extends Error {
  /** Always `ValidationError`. */
  override name = "ValidationError";
  /** The SQLSTATE plts raises it with. */
  readonly sqlstate = "22023";
  /** The issues, as valibot reported them. */
  readonly issues: readonly Issue[];
  /** Every issue, one per line. */
  readonly detail: string;

  /**
   * Builds the message from the issues, one `path: what was wrong` per issue.
   *
   * @param what whether the arguments or the handler's result were invalid
   * @param issues the issues, as valibot reported them
   */
  constructor(what: "arguments" | "result", issues: readonly Issue[]) {
    const lines = issues.map(describeIssue);
    super(`invalid ${what}: ${lines.join("; ")}`);
    this.issues = issues;
    this.detail = lines.join("\n");
  }
}

/**
 * Describes one issue as `path: what was wrong`: `id: expected number, received string` for type
 * issues, `id: required` for a missing key, else valibot's own message after the path.
 *
 * @param issue an issue, as valibot reported it
 * @returns one line; the path is dot-separated, `(root)` for the value itself
 *
 * @example Describing a type issue
 * ```ts
 * import { describeIssue, v } from "./mod.ts";
 *
 * const parsed = v.safeParse(v.object({ id: v.number() }), { id: "1" });
 * if (!parsed.success) console.log(describeIssue(parsed.issues[0])); // "id: expected number, received string"
 * ```
 */
export function describeIssue(issue: Issue): string {
  const path = issue.path?.map((item) => String(item.key)).join(".") || "(root)";
  if (issue.kind === "schema" && issue.type === "object" && issue.input === undefined) {
    return `${path}: required`; // valibot reports a missing key as expecting the key's name
  }
  if (issue.kind === "schema" && issue.expected) {
    return `${path}: expected ${issue.expected}, received ${kindOf(issue.input)}`;
  }
  return `${path}: ${issue.message}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "Date";
  return typeof value;
}

/**
 * Parses with the fast path compiled once here (`fast_parse.ts`) and falls back to `v.safeParse` when the
 * schema is unsupported or the fast path fails, so outputs and error messages stay valibot's.
 */
function validator(schema: Schema, what: "arguments" | "result"): (input: unknown) => unknown {
  const valibotSchema = asValibot(schema);
  const slow = (input: unknown) => {
    const parsed = v.safeParse(valibotSchema, input);
    if (!parsed.success) throw new ValidationError(what, parsed.issues);
    return parsed.output;
  };
  return compileParser(valibotSchema, slow) ?? slow;
}

function wrap<K extends "query" | "mutation", S extends Schema, R>(
  kind: K,
  args: S,
  handler: (args: InferOutput<S>, ctx: PltsContext<unknown, K extends "query" ? ReadDb : Db>) => R | Promise<R>,
  options: WrapperOptions<R> = {},
): Wrapped<K, S, Awaited<R>> {
  type Ctx = PltsContext<unknown, K extends "query" ? ReadDb : Db>;
  const returns = options.returns;
  const parseArgs = validator(args, "arguments");
  const parseResult = returns && validator(returns, "result");
  // The call after the arguments are parsed; plts calls it directly for arguments it has already
  // checked in Rust against `shape` (native_shape.ts). Without a `returns` schema it is the handler
  // itself: every JS call costs (QuickJS has no inlining), and the result passes through untouched.
  const validated = parseResult
    ? (args: InferOutput<S>, ctx: Ctx) => {
      const result = handler(args, ctx);
      if (result instanceof Promise) return result.then(parseResult);
      return parseResult(result);
    }
    : handler;
  const entry = (ctx: Ctx) => validated(parseArgs(ctx.args) as InferOutput<S>, ctx);
  const shape = describeShape(asValibot(args));
  let jsonSchema: Record<string, unknown> | undefined;
  Object.defineProperties(entry, {
    kind: { value: kind, enumerable: true },
    args: { value: args, enumerable: true },
    returns: { value: returns, enumerable: true },
    // Computed on first read: calls inside PostgreSQL never need it.
    argsJsonSchema: {
      get: () => (jsonSchema ??= toJsonSchema(asValibot(args), { errorMode: "ignore" }) as Record<string, unknown>),
      enumerable: true,
    },
    // For plts only, so not enumerable: the arguments' shape as JSON text and the call that skips parsing.
    "~plts": { value: Object.freeze({ shape: shape && JSON.stringify(shape), validated }) },
  });
  return entry as unknown as Wrapped<K, S, Awaited<R>>;
}

/**
 * A read-only handler: its arguments are validated by `args`, its `ctx.db` can only read (enforced by
 * PostgreSQL inside plts, by a `READ ONLY` transaction in {@linkcode callLocal}).
 *
 * @param args valibot schema of `ctx.args`
 * @param handler gets the validated, typed arguments and the context
 * @param options `returns`: a schema that validates the result
 * @returns the plts entry point, with `kind`, `args`, `returns` and `argsJsonSchema`
 *
 * @example A query deployed as `(args jsonb) returns jsonb`
 * ```ts
 * import { query, v } from "./mod.ts";
 *
 * export default query(v.object({ id: v.number() }), async ({ id }, ctx) => {
 *   const [item] = await ctx.db.query("select id, name from items where id = $1", [id]);
 *   return item ?? null;
 * });
 * ```
 */
export function query<S extends Schema, R>(
  args: S,
  handler: (args: InferOutput<S>, ctx: QueryCtx) => R | Promise<R>,
  options?: WrapperOptions<Awaited<R>>,
): Wrapped<"query", S, Awaited<R>> {
  return wrap("query", args, handler, options as WrapperOptions<R>);
}

/**
 * A read-write handler: its arguments are validated by `args`; `ctx.db` reads and writes.
 *
 * @param args valibot schema of `ctx.args`
 * @param handler gets the validated, typed arguments and the context
 * @param options `returns`: a schema that validates the result
 * @returns the plts entry point, with `kind`, `args`, `returns` and `argsJsonSchema`
 *
 * @example A mutation
 * ```ts
 * import { mutation, v } from "./mod.ts";
 *
 * export default mutation(v.object({ name: v.pipe(v.string(), v.minLength(1)) }), async ({ name }, ctx) => {
 *   const [row] = await ctx.db.query("insert into items (name) values ($1) returning id", [name]);
 *   return { id: row.id };
 * });
 * ```
 */
export function mutation<S extends Schema, R>(
  args: S,
  handler: (args: InferOutput<S>, ctx: MutationCtx) => R | Promise<R>,
  options?: WrapperOptions<Awaited<R>>,
): Wrapped<"mutation", S, Awaited<R>> {
  return wrap("mutation", args, handler, options as WrapperOptions<R>);
}
