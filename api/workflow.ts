/**
 * The release workflow around deploys: promotion of one environment's artifacts to another,
 * protected environments, drift between a live schema and its deployment, and per-function call
 * statistics, over the SQL functions and views of the stopgap extension.
 *
 * @module
 */

import type postgres from "postgres";
import type { Sql } from "../runtime/local.ts";
import { lockEnvironment, toId } from "./_sql.ts";
import { type CheckResult, loadChecks, runChecks } from "./checks.ts";
import { checkEnvName, StopgapError } from "./errors.ts";
import type { EnvOptions } from "./environments.ts";

/** Options of {@linkcode promote}. */
export interface PromoteOptions {
  /** A postgres.js client. */
  sql: Sql;
  /** The environment whose active deployment is promoted, e.g. `staging`. */
  from: string;
  /** The environment that gets it, e.g. `prod`. */
  to: string;
  /** The label of the new deployment of `to`; default `<from>-<deployment id>` (required when `to` is protected). */
  label?: string;
  /** Promote over drift in `to`'s live schema (see {@linkcode drift}); refused otherwise. */
  force?: boolean;
  /**
   * A check module whose checks run in the promotion's transaction, against `to`'s new functions,
   * before the commit (as for `deploy`); one that throws and nothing is promoted.
   */
  check?: string;
  /** The project root the check module's path and imports are read from (default: the current directory). */
  root?: string;
}

/** What {@linkcode promote} did. */
export interface PromoteResult {
  /** The source environment. */
  from: string;
  /** Its deployment whose artifacts were promoted. */
  fromDeploymentId: number;
  /** The target environment. */
  to: string;
  /** `promoted`: a new deployment of `to` is active. `unchanged`: `to` already served those artifacts. */
  status: "promoted" | "unchanged";
  /** The deployment of `to` active now. */
  deploymentId: number;
  /** Its label; `null` when unchanged (the label was not used). */
  label: string | null;
  /** The deployment of `to` active before; `null` when it had none. */
  previousDeploymentId: number | null;
  /** With `check`: the checks that ran before the commit, all `passed`. Empty otherwise. */
  checks: CheckResult[];
}

/**
 * Deploys the exact artifacts of `from`'s active deployment to `to` (`stopgap.promote`): nothing is
 * compiled, the functions keep their artifact hashes, and the new deployment records where it
 * came from (`promotedFrom` in {@linkcode deployments}). `rollback` of `to` undoes it as it would
 * a deploy.
 *
 * @param options the client, the two environments and optionally the label
 * @returns what `to` serves now
 * @throws {StopgapError} `protected_environment` when `to` is protected and no label is given,
 *   `drift` when `to`'s live schema drifted and `force` is not set
 * @throws a postgres.js `PostgresError` (42704 `from` does not exist, 55000 it has no active
 *   deployment, 42710 the label is taken)
 *
 * @example Promoting staging to prod
 * ```ts ignore
 * import { promote } from "../mod.ts";
 *
 * const result = await promote({ sql, from: "staging", to: "prod", label: "v1.4.0" });
 * console.log(result.status, result.deploymentId);
 * ```
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const { sql, from, to } = options;
  checkEnvName(from);
  checkEnvName(to);
  // Loaded before the transaction: bundling a check module takes a second, not to be spent holding the locks.
  const checks = options.check === undefined ? undefined : await loadChecks(options.check, { root: options.root });
  return await sql.begin(async (tx) => {
    // The locks stopgap.promote takes, in its order: what is read here is what it promotes.
    for (const env of [from, to].sort()) await lockEnvironment(tx, env);
    await checkTarget(tx, to, { label: options.label, force: options.force, what: "promote" });
    const [source] = await tx`select active_deployment_id from stopgap.environment where env = ${from}`;
    const fromDeploymentId = toId(source?.active_deployment_id);
    const [target] = await tx`select active_deployment_id from stopgap.environment where env = ${to}`;
    const previous = toId(target?.active_deployment_id);
    const label = options.label ?? `${from}-${fromDeploymentId ?? "none"}`;
    const [row] = await tx`select stopgap.promote(${from}, ${to}, ${label}) as id`;
    const deploymentId = toId(row.id)!;
    const unchanged = previous !== null && deploymentId === previous;
    const checked = checks === undefined ? [] : await runChecks(tx, to, checks, {
      hint: `Nothing was promoted: ${
        previous === null ? `"${to}" still has no active deployment` : `deployment ${previous} keeps serving "${to}"`
      } (the checks ran in the promotion's transaction, which was rolled back)`,
    });
    return {
      from,
      fromDeploymentId: fromDeploymentId!,
      to,
      status: unchanged ? "unchanged" : "promoted",
      deploymentId,
      label: unchanged ? null : label,
      previousDeploymentId: previous,
      checks: checked,
    } satisfies PromoteResult;
  }) as PromoteResult;
}

/**
 * Marks `env` protected, or not (`stopgap.protect_environment`; the environment is created when
 * missing). Deploys and promotions to a protected environment need an explicit label, and
 * `stopgap dev` refuses it. A guard against mistakes: any deployer may change it.
 *
 * @param options the client, the environment, and `protected` (default `true`)
 * @returns the new setting
 */
export async function protect(options: EnvOptions & { protected?: boolean }): Promise<boolean> {
  const { sql, env } = options;
  checkEnvName(env);
  const [row] = await sql`select stopgap.protect_environment(${env}, ${options.protected ?? true}) as protected`;
  return row.protected;
}

/**
 * Refuses a deploy or promotion to `env` that would go over a protected environment without an
 * explicit label, or over drift without `force`. Run under the environment's lock.
 *
 * @throws {StopgapError} `protected_environment` or `drift`
 */
export async function checkTarget(
  tx: postgres.TransactionSql,
  env: string,
  options: { label?: string; force?: boolean; what: "deploy" | "promote" },
): Promise<void> {
  const [row] = await tx`select protected from stopgap.environment where env = ${env}`;
  if (row === undefined) return;
  if (options.label === undefined && row.protected === true) throw needsLabel(env, options.what);
  if (options.force) return;
  const entries = await driftOf(tx, env);
  if (entries.length > 0) throw driftError(env, entries);
}

/** The error of a deploy or promotion to a protected environment without an explicit label. */
export function needsLabel(env: string, what: "deploy" | "promote"): StopgapError {
  return new StopgapError(
    "protected_environment",
    `environment "${env}" is protected: a ${what} to it needs an explicit label`,
    { hint: `Pass --label <version> (e.g. --label v1.4.0); "stopgap env unprotect ${env}" lifts the protection` },
  );
}

/** One difference between a live schema and its active deployment (a row of `stopgap.drift`). */
export interface DriftEntry {
  /** The live function's name. */
  name: string;
  /**
   * `changed`: its body or attributes were changed by hand; `dropped`: the deployment has it, the
   * live schema does not; `added`: in the live schema, but no deployment installed it.
   */
  drift: "changed" | "dropped" | "added";
  /** What differs, in a sentence. */
  detail: string;
}

/**
 * How the live schema of `env` differs from what its active deployment installed
 * (`stopgap.drift`). Functions an older deployment installed and the active one does not have are
 * not drift: `prune` drops them.
 *
 * @param options the client and environment
 * @returns the differences, by name; empty when the live schema is as deployed
 * @throws a postgres.js `PostgresError` 42704 when `env` does not exist
 */
export async function drift(options: EnvOptions): Promise<DriftEntry[]> {
  const { sql, env } = options;
  checkEnvName(env);
  return await driftOf(sql, env);
}

async function driftOf(sql: Sql | postgres.TransactionSql, env: string): Promise<DriftEntry[]> {
  const rows = await sql`select fn_name, drift, detail from stopgap.drift(${env})`;
  return rows.map((r) => ({ name: r.fn_name, drift: r.drift, detail: r.detail }));
}

/** The error of a deploy over drift, listing it. */
export function driftError(env: string, entries: DriftEntry[]): StopgapError {
  const lines = entries.map((e) => `  ${e.name}: ${e.drift}: ${e.detail}`).join("\n");
  return new StopgapError(
    "drift",
    `the live schema of environment "${env}" was changed outside stopgap:\n${lines}`,
    {
      hint: `Find out who changed it and why; --force deploys anyway (the deploy replaces the functions it installs)`,
    },
  );
}

/** Calls and time of one live function (a row of `stopgap.function_stats`). */
export interface FunctionStats {
  /** The SQL name. */
  name: string;
  /** `query` or `mutation`. */
  kind: "query" | "mutation";
  /** The active deployment, which the function belongs to now. */
  deploymentId: number;
  /** Calls counted since the statistics were last reset (across the deployments it served). */
  calls: number;
  /** Total time in milliseconds, nested calls included. */
  totalMs: number;
  /** Time in the function itself, without functions it called. */
  selfMs: number;
  /** Mean time per call; `null` before the first call. */
  meanMs: number | null;
}

/** What {@linkcode stats} returns. */
export interface StatsResult {
  /** The environment. */
  env: string;
  /**
   * PostgreSQL's `track_functions`: calls are counted only when it is `pl` or `all`. With `none`,
   * every count is 0.
   */
  trackFunctions: string;
  /** One entry per live function of the active deployment, by name. */
  functions: FunctionStats[];
}

/**
 * Per-function call statistics of `env` (`stopgap.function_stats`), from PostgreSQL's own counters
 * (`pg_stat_user_functions`). Counters are kept only while `track_functions` is `pl` or `all`, and
 * a backend reports its counts when its transaction ends (at most a second later).
 *
 * @param options the client and environment
 * @returns the counters, and whether PostgreSQL is counting
 * @throws a postgres.js `PostgresError` 42704 when `env` does not exist
 */
export async function stats(options: EnvOptions): Promise<StatsResult> {
  const { sql, env } = options;
  checkEnvName(env);
  await sql`select stopgap.require_environment(${env})`;
  const [{ track }] = await sql`select current_setting('track_functions') as track`;
  const rows = await sql`select * from stopgap.function_stats where env = ${env} order by fn_name`;
  return {
    env,
    trackFunctions: track,
    functions: rows.map((r) => ({
      name: r.fn_name,
      kind: r.kind,
      deploymentId: toId(r.deployment_id)!,
      calls: Number(r.calls),
      totalMs: Number(r.total_ms),
      selfMs: Number(r.self_ms),
      meanMs: r.mean_ms === null ? null : Number(r.mean_ms),
    })),
  };
}
