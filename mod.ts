/**
 * Stopgap + PLTS: TypeScript stored procedures for PostgreSQL, with versioned deployments.
 *
 * This entry re-exports `@stopgap/runtime` (`./runtime`): the `query`/`mutation` wrappers, `v`
 * (valibot), the context types; and `callLocal`, which runs a wrapped handler in Deno against a real
 * PostgreSQL with the semantics it has inside plts.
 *
 * @example A typed plts function body
 * ```ts
 * import { type PltsHandler, VERSION } from "./mod.ts";
 *
 * const hello: PltsHandler<{ name: string }> = (ctx) => `hello ${ctx.args.name} from runtime ${VERSION}`;
 * export default hello;
 * ```
 *
 * @module
 */

export * from "./runtime/mod.ts";
export { callLocal, type LocalOptions } from "./runtime/local.ts";
