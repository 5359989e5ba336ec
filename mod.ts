/**
 * Stopgap + PLTS: TypeScript stored procedures for PostgreSQL, with versioned deployments.
 *
 * This entry re-exports the plts runtime contract (`./runtime`): the context a function receives
 * and the type of its default export.
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

export { type PltsContext, type PltsHandler, VERSION } from "./runtime/mod.ts";
