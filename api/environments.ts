/**
 * Managing environments: `rollback`, `status`, `deployments`, `diff` and `prune`, over the SQL
 * functions of the stopgap extension.
 *
 * @module
 */

import type { Sql } from "../runtime/local.ts";
import { lockEnvironment, toId, toIso } from "./_sql.ts";
import { deploy, type DeployOptions, type DeployResult, type PrunedFunction } from "./deploy.ts";
import { checkEnvName, StopgapError } from "./errors.ts";
import type { DriftEntry } from "./workflow.ts";

/** Options naming a client and an environment. */
export interface EnvOptions {
  /** A postgres.js client. */
  sql: Sql;
  /** The environment, e.g. `prod`. */
  env: string;
}

/** Options of {@linkcode rollback}: `steps` or `to`, not both. */
export interface RollbackOptions extends EnvOptions {
  /** Back to the n-th most recent superseded deployment (default 1). */
  steps?: number;
  /**
   * Exactly this deployment (superseded or rolled back; may be newer: rolling forward). The active
   * deployment itself changes nothing (`status: "unchanged"`). Takes precedence over `steps`.
   */
  to?: number;
}

/** What {@linkcode rollback} did. */
export interface RollbackResult {
  /** The environment rolled back. */
  env: string;
  /**
   * `rolled_back`: another deployment is active now. `unchanged`: `to` was already the active
   * deployment; nothing was written.
   */
  status: "rolled_back" | "unchanged";
  /** The deployment now active. */
  deploymentId: number;
  /** Its label. */
  label: string;
  /** The deployment active before (now `rolled_back`; the same as `deploymentId` when unchanged). */
  previousDeploymentId: number | null;
  /** The label of the deployment active before. */
  previousLabel: string | null;
}

/**
 * Makes an earlier deployment of `env` active again (`stopgap.rollback`); no compilation.
 *
 * Everything it reports is read under the environment lock, so a concurrent deploy or rollback is
 * either entirely before it or entirely after it.
 *
 * @param options the client, environment, and `steps` or `to`
 * @returns the deployment now active and the one before
 * @throws {StopgapError} `other_environment` when `to` is a deployment of another environment
 * @throws a postgres.js `PostgresError` (55000 nothing to roll back to, 42704 unknown id)
 *
 * @example Rolling back to the previous deployment
 * ```ts ignore
 * import { rollback } from "../mod.ts";
 *
 * const { deploymentId } = await rollback({ sql, env: "prod" });
 * ```
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const { sql, env, to } = options;
  checkEnvName(env);
  return await sql.begin(async (tx) => {
    await lockEnvironment(tx, env);
    const [before] = await tx`select e.active_deployment_id as id, d.label from stopgap.environment e
      left join stopgap.deployment d on d.id = e.active_deployment_id where e.env = ${env}`;
    const previousDeploymentId = toId(before?.id);
    const previousLabel: string | null = before?.label ?? null;
    if (to !== undefined) {
      const [target] = await tx`select env from stopgap.deployment where id = ${to}`;
      if (target !== undefined && target.env !== env) {
        throw new StopgapError(
          "other_environment",
          `Deployment ${to} belongs to environment "${target.env}", not "${env}"`,
          {
            hint: `stopgap deployments --env ${env} lists the deployments of "${env}"; ` +
              `stopgap rollback --env ${target.env} --to ${to} rolls "${target.env}" back`,
          },
        );
      }
      if (to === previousDeploymentId) {
        return {
          env,
          status: "unchanged",
          deploymentId: to,
          label: previousLabel!,
          previousDeploymentId,
          previousLabel,
        };
      }
    }
    const [row] = to === undefined
      ? await tx`select stopgap.rollback(${env}, steps => ${options.steps ?? 1}::int) as id`
      : await tx`select stopgap.rollback(${env}, to_id => ${to}::bigint) as id`;
    const [now] = await tx`select label from stopgap.deployment where id = ${row.id}`;
    return {
      env,
      status: "rolled_back",
      deploymentId: toId(row.id)!,
      label: now.label,
      previousDeploymentId,
      previousLabel,
    };
  }) as RollbackResult;
}

/** A function of the active deployment. */
export interface LiveFunction {
  /** The SQL name. */
  name: string;
  /** `query` (read-only) or `mutation`. */
  kind: "query" | "mutation";
  /** The hash of the compiled artifact the function runs. */
  artifactHash: string;
}

/** One environment and what serves it (a row of `stopgap.environment_overview`, plus functions). */
export interface EnvironmentStatus {
  /** The environment, e.g. `prod`. */
  env: string;
  /** The schema callers use, e.g. `live_prod`. */
  liveSchema: string;
  /** The role granted `USAGE` on the live schema and `EXECUTE` on its functions. */
  executeRole: string;
  /** The active deployment; `null` when none is. */
  activeDeploymentId: number | null;
  /** Its label. */
  activeLabel: string | null;
  /** ISO 8601. */
  activeSince: string | null;
  /** The number of functions of the active deployment. */
  functionCount: number;
  /** The number of deployments of the environment, failed ones included. */
  deploymentCount: number;
  /** The number of failed deployments. */
  failedCount: number;
  /** The active deployment's functions, sorted by name. */
  functions: LiveFunction[];
  /** Deploys and promotions need an explicit label, and `stopgap dev` refuses it. */
  protected: boolean;
  /** How the live schema differs from what the active deployment installed; empty when it does not. */
  drift: DriftEntry[];
}

/**
 * What serves each environment, or only `env`.
 *
 * @param options the client, and optionally one environment
 * @returns one entry per environment, sorted by name
 * @throws a postgres.js `PostgresError` 42704 when `env` does not exist
 *
 * @example Reading what serves `prod`
 * ```ts ignore
 * import { status } from "../mod.ts";
 *
 * const [prod] = await status({ sql, env: "prod" });
 * console.log(prod.activeLabel);
 * ```
 */
export async function status(options: { sql: Sql; env?: string }): Promise<EnvironmentStatus[]> {
  const { sql, env } = options;
  if (env !== undefined) checkEnvName(env);
  const rows = env === undefined
    ? await sql`select * from stopgap.environment_overview order by env`
    : await sql`select * from stopgap.status(${env})`;
  const fns = await sql`select v.deployment_id, v.fn_name, v.kind, v.artifact_hash from stopgap.fn_version v
    where v.deployment_id in (select active_deployment_id from stopgap.environment) order by v.fn_name`;
  const drifts = await sql`select e.env, d.fn_name, d.drift, d.detail
    from stopgap.environment e, stopgap.drift(e.env) d
    where ${env ?? null}::text is null or e.env = ${env ?? null}::text`;
  return rows.map((r) => ({
    env: r.env,
    liveSchema: r.live_schema,
    executeRole: r.execute_role,
    activeDeploymentId: toId(r.active_deployment_id),
    activeLabel: r.active_label ?? null,
    activeSince: toIso(r.active_since),
    functionCount: Number(r.function_count),
    deploymentCount: Number(r.deployment_count),
    failedCount: Number(r.failed_count),
    functions: fns.filter((f) => toId(f.deployment_id) === toId(r.active_deployment_id))
      .map((f) => ({ name: f.fn_name, kind: f.kind, artifactHash: f.artifact_hash })),
    protected: r.protected === true,
    drift: drifts.filter((d) => d.env === r.env).map((d) => ({ name: d.fn_name, drift: d.drift, detail: d.detail })),
  }));
}

/** One deployment of an environment (a row of `stopgap.deployments`). */
export interface DeploymentInfo {
  /** The deployment id. */
  id: number;
  /** Its label, unique per environment among deployments that did not fail. */
  label: string;
  /** Where it is in its life: `open` → `sealed` → `active` → `superseded` or `rolled_back`, or `failed`. */
  status: "open" | "sealed" | "active" | "superseded" | "rolled_back" | "failed";
  /** ISO 8601. */
  createdAt: string;
  /** The role that deployed it. */
  createdBy: string;
  /** The schema it was snapshotted from. */
  sourceSchema: string;
  /** The number of functions it has. */
  functionCount: number;
  /** For failed deployments: the function that failed, and why. */
  failedFunction: string | null;
  /** For failed deployments: the error message. */
  failureMessage: string | null;
  /** For a promotion: the environment and deployment whose artifacts it took. */
  promotedFrom: { env: string; deploymentId: number } | null;
}

/**
 * The deployments of `env`, newest first.
 *
 * @param options the client and environment
 * @returns one entry per deployment, failed ones included
 * @throws a postgres.js `PostgresError` 42704 when `env` does not exist
 *
 * @example Listing the deployments of `prod`
 * ```ts ignore
 * import { deployments } from "../mod.ts";
 *
 * for (const d of await deployments({ sql, env: "prod" })) console.log(d.id, d.label, d.status);
 * ```
 */
export async function deployments(options: EnvOptions): Promise<DeploymentInfo[]> {
  const { sql, env } = options;
  checkEnvName(env);
  const rows = await sql`select * from stopgap.deployments(${env})`;
  return rows.map((r) => ({
    id: toId(r.id)!,
    label: r.label,
    status: r.status,
    createdAt: toIso(r.created_at)!,
    createdBy: r.created_by,
    sourceSchema: r.source_schema,
    functionCount: Number(r.function_count),
    failedFunction: r.failed_function ?? null,
    failureMessage: r.failure_message ?? null,
    promotedFrom: r.promoted_from_env == null
      ? null
      : { env: r.promoted_from_env, deploymentId: toId(r.promoted_from_deployment_id)! },
  }));
}

/**
 * What deploying would change: {@linkcode deploy} with `dryRun`, which compiles, stages and rolls back.
 *
 * @param options as for {@linkcode deploy}, without `dryRun`, `label`, `prune` and `check` (a dry run
 *   with checks deploys inside its transaction and waits for the environment lock: that is
 *   `deploy({ dryRun: true, check })`)
 * @returns the result of a dry run: `status` is `dry_run`, `functions` has each function's change
 * @throws {CompileError} for compile errors, a postgres.js `PostgresError` for server errors
 *
 * @example Listing what would change in `prod`
 * ```ts ignore
 * import { diff } from "../mod.ts";
 *
 * const { functions } = await diff({ sql, env: "prod" });
 * console.log(functions.filter((f) => f.change !== "unchanged"));
 * ```
 */
export async function diff(
  options: Omit<DeployOptions, "dryRun" | "label" | "prune" | "check">,
): Promise<DeployResult> {
  return await deploy({ ...options, dryRun: true });
}

/**
 * Drops the live functions of `env` that the active deployment does not have (`stopgap.prune`).
 *
 * @param options the client and environment
 * @returns one entry per function considered: dropped, or skipped with the reason
 *
 * @example Pruning `prod`
 * ```ts ignore
 * import { prune } from "../mod.ts";
 *
 * console.log(await prune({ sql, env: "prod" }));
 * ```
 */
export async function prune(options: EnvOptions): Promise<PrunedFunction[]> {
  const { sql, env } = options;
  checkEnvName(env);
  const rows = await sql`select fn_name, action, reason from stopgap.prune(${env})`;
  return rows.map((r) => ({ name: r.fn_name, action: r.action, reason: r.reason ?? null }));
}
