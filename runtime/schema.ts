/**
 * The schema types of the public API: what the wrappers and the typed client need of a valibot
 * schema, declared here as structural types. valibot's own type names are not exported by its
 * package entry under those names, so a public signature that named them would leave readers of
 * the JSR docs with dangling references; these types keep the API self-contained, and every
 * valibot schema and issue fits them.
 *
 * @module
 */

import type * as valibot from "valibot";

/**
 * A synchronous valibot schema (`v.object(...)`, `v.string()`, ...): what `query`, `mutation` and
 * the typed client accept. `TInput` is what the schema accepts, `TOutput` what parsing returns.
 *
 * @example Typing a function that takes any schema
 * ```ts
 * import { type InferOutput, type Schema, v } from "./mod.ts";
 *
 * function example<S extends Schema>(schema: S, value: InferOutput<S>): InferOutput<S> {
 *   console.log(schema.type);
 *   return value;
 * }
 * example(v.object({ id: v.number() }), { id: 1 });
 * ```
 */
export interface Schema<TInput = unknown, TOutput = TInput> {
  /** Always `schema` (valibot's actions and transformations are not schemas). */
  readonly kind: "schema";
  /** The schema's type name: `object`, `string`, `array`, ... */
  readonly type: string;
  /** Always `false`: async schemas cannot run inside PostgreSQL's synchronous call. */
  readonly async: false;
  /** Types only (never set at run time): the input, output and issue types. */
  readonly "~types"?: { readonly input: TInput; readonly output: TOutput; readonly issue: unknown } | undefined;
}

/**
 * The type a schema's parse returns, as valibot's `InferOutput`.
 *
 * @example The validated arguments of a handler
 * ```ts
 * import { type InferOutput, v } from "./mod.ts";
 *
 * const Args = v.object({ id: v.number() });
 * const args: InferOutput<typeof Args> = { id: 1 };
 * console.log(args.id);
 * ```
 */
export type InferOutput<S extends Schema> = NonNullable<S["~types"]>["output"];

/**
 * The type a schema accepts, as valibot's `InferInput`.
 *
 * @example What a client sends
 * ```ts
 * import { type InferInput, v } from "./mod.ts";
 *
 * const Args = v.object({ id: v.number(), note: v.optional(v.string(), "") });
 * const sent: InferInput<typeof Args> = { id: 1 }; // `note` may be left out: its default fills it in
 * console.log(sent);
 * ```
 */
export type InferInput<S extends Schema> = NonNullable<S["~types"]>["input"];

/**
 * One step of an {@linkcode Issue}'s path: the key (object) or index (array) of the value.
 *
 * @example The path of an issue inside an array
 * ```ts
 * import { v } from "./mod.ts";
 *
 * const parsed = v.safeParse(v.object({ tags: v.array(v.string()) }), { tags: ["a", 2] });
 * if (!parsed.success) console.log(parsed.issues[0].path?.map((item) => item.key)); // ["tags", 1]
 * ```
 */
export interface IssuePathItem {
  /** `object`, `array`, `record`, ...: the kind of value this step goes into. */
  readonly type: string;
  /** The key or index. */
  readonly key: unknown;
  /** The value at this step. */
  readonly value: unknown;
}

/**
 * One problem valibot found with a value (valibot's `BaseIssue`): what was expected and received,
 * the message, and where.
 *
 * @example Reading an issue
 * ```ts
 * import { type Issue, v } from "./mod.ts";
 *
 * const parsed = v.safeParse(v.object({ id: v.number() }), { id: "1" });
 * if (!parsed.success) {
 *   const issue: Issue = parsed.issues[0];
 *   console.log(issue.expected, issue.received); // number "1"
 * }
 * ```
 */
export interface Issue {
  /** `schema` (a wrong type), `validation` (a failed check) or `transformation`. */
  readonly kind: "schema" | "validation" | "transformation";
  /** The type of the schema or action that reported it. */
  readonly type: string;
  /** The value that was checked. */
  readonly input: unknown;
  /** What was expected, when that can be said (`number`, `>=1`). */
  readonly expected: string | null;
  /** What was received (`"1"`, `string`). */
  readonly received: string;
  /** valibot's message. */
  readonly message: string;
  /** Where in the value, from the root; absent for the value itself. */
  readonly path?: readonly IssuePathItem[] | undefined;
}

/** The valibot type of a {@linkcode Schema}, for the calls into valibot (every Schema is one). */
export function asValibot(schema: Schema): valibot.GenericSchema {
  return schema as unknown as valibot.GenericSchema;
}
