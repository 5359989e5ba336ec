/**
 * Stopgap + PLTS: TypeScript stored procedures for PostgreSQL, with versioned deployments.
 *
 * This entry re-exports `@stopgap/runtime` (`./runtime`): the `query`/`mutation` wrappers, `v`
 * (valibot), the context types; and `callLocal`, which runs a wrapped handler in Deno against a real
 * PostgreSQL with the semantics it has inside plts; the typed client (`createClient`, `call`); and the
 * programmatic deploy API the `stopgap` CLI is a shell over (`deploy`, `dev`, `promote`, `rollback`, `status`,
 * `deployments`, `diff`, `prune`, `drift`, `protect`, `stats`, `generateTypes`, `compile`), and the checks a
 * deploy can run in its transaction (`loadChecks`, `runChecks`, the `CheckContext` a check receives).
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
export { callLocal, type LocalOptions, type Sql } from "./runtime/local.ts";
export {
  call,
  type Client,
  type ClientFunction,
  type ClientFunctions,
  type ClientMethod,
  type ClientOptions,
  createClient,
  type FunctionSpec,
} from "./api/client.ts";
export {
  type Check,
  type CheckContext,
  CheckError,
  type CheckModule,
  type CheckResult,
  loadChecks,
  runChecks,
  type TransactionSql,
} from "./api/checks.ts";
export {
  type Change,
  deploy,
  type DeployedFunction,
  type DeployOptions,
  type DeployPhase,
  type DeployResult,
  type PrunedFunction,
} from "./api/deploy.ts";
export { DEFAULT_DEBOUNCE_MS, dev, type DevCycle, type DevOptions, type DevPhase } from "./api/dev.ts";
export {
  type DeploymentInfo,
  deployments,
  diff,
  type EnvironmentStatus,
  type EnvOptions,
  type LiveFunction,
  prune,
  rollback,
  type RollbackOptions,
  type RollbackResult,
  status,
} from "./api/environments.ts";
export { StopgapError } from "./api/errors.ts";
export {
  drift,
  type DriftEntry,
  type FunctionStats,
  promote,
  type PromoteOptions,
  type PromoteResult,
  protect,
  stats,
  type StatsResult,
} from "./api/workflow.ts";
export { type GeneratedTypes, generateTypes } from "./api/types.ts";
export {
  type DeclaredTable,
  type DeclaredType,
  type GeneratedTableTypes,
  generateTableTypes,
  parseTables,
  type TableRef,
} from "./api/table_types.ts";
export {
  compile,
  type CompiledFunction,
  CompileError,
  type CompileOptions,
  type CompilePhase,
  type CompileResult,
  type CompileWarning,
  type Diagnostic,
  type FunctionSource,
  type NameCollision,
  type Project,
  type ProjectOptions,
  UNAVAILABLE_GLOBALS,
} from "./compiler/mod.ts";
