/**
 * `@stopgap/runtime`: what a TypeScript function running inside PostgreSQL uses — the `query` and
 * `mutation` wrappers with valibot schemas, the context types, and valibot itself as `v`.
 *
 * The same source is bundled at build time and embedded into the `plts` extension as the built-in
 * module `@stopgap/runtime` (with `valibot` as a built-in of its own), so a function body can
 * `import { query, v } from "@stopgap/runtime"` inside the database.
 *
 * @example A query with validated arguments
 * ```ts
 * import { query, v } from "./mod.ts";
 *
 * export default query(v.object({ id: v.number() }), ({ id }) => ({ id, found: id > 0 }));
 * ```
 *
 * @module
 */

import * as valibot from "valibot";

/**
 * valibot itself (the pinned npm version), for building the schemas of {@linkcode query} and
 * {@linkcode mutation}: `v.object`, `v.string`, `v.pipe`, ... Inside PostgreSQL it is the built-in
 * `valibot` module. Its types are valibot's; for the types of a schema's input and output use
 * {@linkcode InferInput} and {@linkcode InferOutput} (or import valibot's own from `valibot`).
 *
 * @example A schema
 * ```ts
 * import { v } from "./mod.ts";
 *
 * const Args = v.object({ id: v.number(), name: v.optional(v.string()) });
 * console.log(v.parse(Args, { id: 1 })); // { id: 1 }
 * ```
 */
export const v: typeof valibot = valibot;
export type {
  CursorOptions,
  Db,
  EventTriggerContext,
  EventTriggerData,
  ExecResult,
  Functions,
  Log,
  PltsContext,
  PltsEventTriggerHandler,
  PltsFunction,
  PltsHandler,
  PltsSetHandler,
  PltsTriggerHandler,
  ProcedureDb,
  ReadDb,
  Row,
  Statement,
  TriggerContext,
  TriggerData,
  WindowApi,
  WindowContext,
  WindowSeek,
} from "./context.ts";
export type { InferInput, InferOutput, Issue, IssuePathItem, Schema } from "./schema.ts";
export {
  describeIssue,
  mutation,
  type MutationCtx,
  query,
  type QueryCtx,
  ValidationError,
  type Wrapped,
  type WrapperOptions,
} from "./wrappers.ts";

/**
 * The version of the runtime; equals the package version in `deno.json`.
 *
 * @example Printing the version
 * ```ts
 * import { VERSION } from "./mod.ts";
 *
 * console.log(`runtime ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";
