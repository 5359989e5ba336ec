/**
 * `deploy`: compile a functions directory (or take an existing source schema) and make it the
 * active deployment of an environment, in one transaction.
 *
 * @module
 */

import type postgres from "postgres";
import type { Sql } from "../runtime/local.ts";
import { compile, type CompiledFunction, type CompilePhase, type CompileWarning } from "../compiler/mod.ts";
import { dollarQuote, ident, lockEnvironment, randomHex, toId } from "./_sql.ts";
import { type CheckModule, type CheckResult, loadChecks, runChecks } from "./checks.ts";
import { checkEnvName } from "./errors.ts";
import { checkTarget } from "./workflow.ts";

/** The phases of a deploy, in order, for progress output. */
export type DeployPhase = CompilePhase | "load" | "stage" | "diff" | "deploy" | "prune" | "checks";

/** Options of {@linkcode deploy}. */
export interface DeployOptions {
  /** A postgres.js client; the deploy runs in one transaction on it. */
  sql: Sql;
  /** The environment, e.g. `prod`. Created by its first deploy. */
  env: string;
  /** The project root (default: the current directory); its configuration names the functions directory. */
  root?: string;
  /** The functions directory; overrides the project's configuration. */
  dir?: string;
  /** Deploy this existing source schema instead of compiling a directory. */
  fromSchema?: string;
  /**
   * The deployment's label; default: the current time, e.g. `2025-01-31T12:00:00.000Z`. Required
   * for a protected environment (see `protect`).
   */
  label?: string;
  /** Deploy over drift in the live schema (see `drift`); refused otherwise. */
  force?: boolean;
  /** Drop live functions the new deployment does not have (`stopgap.prune`), in the same transaction. */
  prune?: boolean;
  /** Compute the changes and roll everything back (with `check`: deploy, run the checks, then roll back). */
  dryRun?: boolean;
  /**
   * A check module (relative to the current directory, or absolute): its exported functions run in
   * the deploy's transaction after the new live functions are in place and before `COMMIT`; if one
   * throws, nothing is deployed (`CheckError`, `check_failed`). See `runChecks`.
   */
  check?: string;
  /** Called when a phase starts. */
  onPhase?: (phase: DeployPhase, detail: string) => void;
}

/** How a function changes with a deploy. */
export type Change = "added" | "changed" | "unchanged" | "removed";

/** One function of a deploy (or, with `change: "removed"`, of the active deployment only). */
export interface DeployedFunction {
  /** The SQL name. */
  name: string;
  /** `query` or `mutation`; `null` for removed functions. */
  kind: "query" | "mutation" | null;
  /** `file#export` for functions compiled from a directory; `null` otherwise. */
  source: string | null;
  /** How the deploy changes it, compared with the active deployment. */
  change: Change;
}

/** What `stopgap prune` did with one live function. */
export interface PrunedFunction {
  /** The SQL name. */
  name: string;
  /** `dropped`, or `skipped` because something depends on it. */
  action: "dropped" | "skipped";
  /** Why it was skipped (PostgreSQL's description of the dependency). */
  reason: string | null;
}

/** What {@linkcode deploy} did. */
export interface DeployResult {
  /** The environment deployed to. */
  env: string;
  /**
   * `deployed`: a new deployment is active. `unchanged`: identical to the active deployment, nothing was
   * written. `dry_run`: nothing was written.
   */
  status: "deployed" | "unchanged" | "dry_run";
  /** The active deployment afterwards; `null` for a dry run. */
  deploymentId: number | null;
  /** The active deployment before; `null` for the first deploy. */
  previousDeploymentId: number | null;
  /** The label of the new deployment; `null` when unchanged or a dry run. */
  label: string | null;
  /** The functions directory (relative to the root) or the source schema deployed. */
  source: { dir: string } | { schema: string };
  /** Every function, sorted by name, with its change. */
  functions: DeployedFunction[];
  /** With `prune`: what happened to each live function the deployment does not have. */
  pruned: PrunedFunction[];
  /**
   * The compiler's warnings: functions that use globals plts does not have (`setTimeout`,
   * `fetch`, ...). They do not stop the deploy. Empty for `fromSchema`.
   */
  warnings: CompileWarning[];
  /** With `check`: the checks that ran before the commit, by name, all `passed`. Empty otherwise. */
  checks: CheckResult[];
}

/** Thrown inside the transaction to roll a dry run back. */
class DryRun extends Error {
  constructor(readonly result: DeployResult) {
    super("dry run");
  }
}

/**
 * Deploys a functions directory (compiled with `compile`) or an existing source schema to `env`.
 *
 * From a directory, in one transaction: a staging schema `stopgap_stage_<env>_<random>` gets one
 * `(args jsonb) RETURNS jsonb LANGUAGE plts` function per export (`STABLE` for queries, `VOLATILE` for
 * mutations), `stopgap.deploy(env, <staging schema>, label)` snapshots it, and the staging schema is
 * dropped. A failure anywhere rolls back everything: the previous deployment keeps serving.
 *
 * The environment lock is taken before the active deployment is read, so the result describes what
 * this deploy did: of two concurrent deploys of identical code, one is `deployed` and the other
 * `unchanged`, with the id of the one that deployed. A dry run does not take the lock, unless it
 * runs checks.
 *
 * With `check`, the check module is type-checked, bundled and imported before the transaction
 * starts (`loadChecks`); its checks run after `stopgap.deploy` (and the prune), in the same
 * transaction (`runChecks`). They run when the deploy is `unchanged` too (against the active
 * deployment, which then serves on). A dry run with checks really deploys inside its transaction,
 * runs the checks and rolls back.
 *
 * @param options the client, environment, source, label and check module
 * @returns what changed
 * @throws {CompileError} for compile errors, `CheckError` for a check module that cannot be
 *   loaded or a check that fails, a postgres.js `PostgresError` for server errors
 *
 * @example Deploying the project in the current directory
 * ```ts ignore
 * import postgres from "postgres";
 * import { deploy } from "../mod.ts";
 *
 * const sql = postgres(Deno.env.get("DATABASE_URL")!);
 * const result = await deploy({ sql, env: "prod", label: "v1" });
 * console.log(result.status, result.deploymentId);
 * await sql.end();
 * ```
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const { sql, env } = options;
  checkEnvName(env);
  const phase = options.onPhase ?? (() => {});
  let compiled: CompiledFunction[] = [];
  let warnings: CompileWarning[] = [];
  let source: DeployResult["source"];
  if (options.fromSchema !== undefined) {
    source = { schema: options.fromSchema };
  } else {
    const result = await compile({ root: options.root, dir: options.dir, onPhase: phase });
    compiled = result.functions;
    warnings = result.warnings;
    const rel = result.project.functionsDir.startsWith(result.project.root + "/")
      ? result.project.functionsDir.slice(result.project.root.length + 1)
      : result.project.functionsDir;
    source = { dir: rel };
  }
  let checks: CheckModule | undefined;
  if (options.check !== undefined) {
    phase("load", options.check);
    checks = await loadChecks(options.check, { root: options.root });
  }
  const label = options.label ?? new Date().toISOString();
  try {
    return await sql.begin(async (tx) => {
      let schema = options.fromSchema;
      if (schema === undefined) {
        schema = `stopgap_stage_${env.slice(0, 32)}_${randomHex()}`;
        phase("stage", `${compiled.length} function${compiled.length === 1 ? "" : "s"} into ${schema}`);
        await stage(tx, schema, compiled);
      }
      // Functions written by hand in the schema get the load check a compiled bundle gets in stage().
      if (options.fromSchema !== undefined) await checkLoads(tx, schema);
      // A dry run only reads, unless it runs checks; a deploy first waits for its turn, so the
      // active deployment and the changes below are the ones stopgap.deploy works from.
      if (!options.dryRun || checks) await lockEnvironment(tx, env);
      await checkTarget(tx, env, { label: options.label, force: options.force, what: "deploy" });
      phase("diff", env);
      const previous = await activeDeployment(tx, env);
      const functions = await changes(tx, env, schema, compiled, previous !== undefined);
      if (options.dryRun && !checks) {
        throw new DryRun({
          env,
          status: "dry_run",
          deploymentId: null,
          previousDeploymentId: previous ?? null,
          label: null,
          source,
          functions,
          pruned: [],
          warnings,
          checks: [],
        });
      }
      phase("deploy", `${env} as "${label}"`);
      const [row] = await tx`select stopgap.deploy(${env}, ${schema}, ${label}) as id`;
      const deploymentId = toId(row.id)!;
      let pruned: PrunedFunction[] = [];
      if (options.prune) {
        phase("prune", env);
        const rows = await tx`select fn_name, action, reason from stopgap.prune(${env})`;
        pruned = rows.map((r) => ({ name: r.fn_name, action: r.action, reason: r.reason ?? null }));
      }
      if (options.fromSchema === undefined) await tx.unsafe(`drop schema ${ident(schema)} cascade`);
      let checked: CheckResult[] = [];
      if (checks) {
        phase("checks", `${checks.checks.length} from ${checks.file}`);
        const serving = previous === undefined
          ? `"${env}" still has no active deployment`
          : `deployment ${previous} keeps serving "${env}"`;
        checked = await runChecks(tx, env, checks, {
          hint: options.dryRun
            ? "Nothing changed: the dry run deployed, ran the checks and rolled back"
            : `Nothing was deployed: ${serving} (the checks ran in the deploy's transaction, which was rolled back)`,
        });
      }
      // stopgap.deploy returns the active deployment's id when it wrote nothing.
      const unchanged = previous !== undefined && deploymentId === previous;
      const result: DeployResult = {
        env,
        status: unchanged ? "unchanged" : "deployed",
        deploymentId,
        previousDeploymentId: previous ?? null,
        label: unchanged ? null : label,
        source,
        functions,
        pruned,
        warnings,
        checks: checked,
      };
      if (options.dryRun) throw new DryRun({ ...result, status: "dry_run", deploymentId: null, label: null });
      return result;
    }) as DeployResult;
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

/** Writes every compiled function into a new schema. */
async function stage(tx: postgres.TransactionSql, schema: string, functions: CompiledFunction[]): Promise<void> {
  await tx.unsafe(`create schema ${ident(schema)}`);
  for (const fn of functions) {
    const volatility = fn.kind === "query" ? "stable" : "volatile";
    try {
      await tx.unsafe(
        `create function ${ident(schema)}.${ident(fn.name)}(args jsonb) returns jsonb language plts ${volatility} as ${
          dollarQuote(fn.code)
        }`,
      );
      // The module loads in plts now, before anything is committed: a throw at top level, a
      // global plts lacks or a default export that is not the wrapper fails the deploy, not the
      // first call.
      const signature = `${ident(schema)}.${ident(fn.name)}(jsonb)`;
      const [{ loaded }] = await tx`select plts.check_function(${signature}::regprocedure) as loaded`;
      if (loaded !== fn.kind) {
        throw new Error(
          `the bundle's default export loads in plts as ${
            loaded === "function" ? "a plain function" : `a ${loaded}`
          }, not the ${fn.kind} the compiler found`,
        );
      }
    } catch (error) {
      if (error instanceof Error) {
        error.message = `${error.message} (in the bundle of ${fn.file}#${fn.exportName}, function ${fn.name})`;
      }
      throw error;
    }
  }
}

/**
 * Loads each deployable plts function of `schema` in plts (`plts.check_function`), before anything
 * is committed: a module that throws at top level, or whose default export is not a function,
 * fails the deploy with its own error and the function's name, not the first call.
 */
async function checkLoads(tx: postgres.TransactionSql, schema: string): Promise<void> {
  const rows = await tx`select fn_oid, fn_name from stopgap.source_functions(${schema})
                         where language = 'plts' and problem is null and not overloaded`;
  for (const row of rows) {
    try {
      await tx`select plts.check_function(${row.fn_oid}::oid::regprocedure)`;
    } catch (error) {
      if (error instanceof Error) error.message = `${error.message} (in function ${schema}.${row.fn_name})`;
      throw error;
    }
  }
}

/** The active deployment of `env`; `undefined` when the environment does not exist or has none. */
async function activeDeployment(tx: postgres.TransactionSql, env: string): Promise<number | undefined> {
  const [row] = await tx`select active_deployment_id from stopgap.environment where env = ${env}`;
  return toId(row?.active_deployment_id) ?? undefined;
}

/** `stopgap.diff` joined with the kinds and sources; every function is `added` to a new environment. */
async function changes(
  tx: postgres.TransactionSql,
  env: string,
  schema: string,
  compiled: CompiledFunction[],
  hasActive: boolean,
): Promise<DeployedFunction[]> {
  const kinds = await tx`select fn_name, kind from stopgap.source_functions(${schema}) where language = 'plts'`;
  const kindOf = new Map(kinds.map((r) => [r.fn_name as string, r.kind as "query" | "mutation"]));
  const sourceOf = new Map(compiled.map((fn) => [fn.name, `${fn.file}#${fn.exportName}`]));
  let diff: { name: string; change: Change }[];
  if (hasActive) {
    const rows = await tx`select fn_name, change from stopgap.diff(${env}, ${schema})`;
    diff = rows.map((r) => ({ name: r.fn_name, change: r.change }));
  } else {
    diff = [...kindOf.keys()].sort().map((name) => ({ name, change: "added" }));
  }
  return diff.map(({ name, change }) => ({
    name,
    kind: change === "removed" ? null : kindOf.get(name) ?? null,
    source: sourceOf.get(name) ?? null,
    change,
  }));
}
