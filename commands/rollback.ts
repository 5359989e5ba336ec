/**
 * `stopgap rollback`: make an earlier deployment active again.
 *
 * @module
 */

import { rollback as rollbackApi } from "../api/environments.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { printJson } from "./_output.ts";

/** The `rollback` command. */
export const rollback: Command = {
  name: "rollback",
  summary: "Make an earlier deployment active again (no compilation)",
  help: `Usage: stopgap rollback --env <env> [--steps <n> | --to <deployment id>]

Re-points the live functions of the environment at an earlier deployment, in one transaction.
Without flags: the deployment before the active one. Rolled-back deployments are skipped.

${ENV_HELP}
  --steps <n>             Back to the n-th most recent superseded deployment (default 1)
  --to <id>               Exactly this deployment (see stopgap deployments); may be newer; the
                          active one changes nothing`,
  flags: { ...ENV_FLAG, steps: { type: "string" }, to: { type: "string" } },
  maxArgs: 0,
  run: async (context) => {
    const env = requireEnv(context);
    const steps = positiveInt(context.flags.steps, "--steps", context.usage);
    const to = positiveInt(context.flags.to, "--to", context.usage);
    if (steps !== undefined && to !== undefined) throw context.usage("Pass --steps or --to, not both");
    const sql = await context.db.connect();
    const result = await rollbackApi({ sql, env, steps, to });
    if (context.json) {
      printJson(result);
      return;
    }
    if (result.status === "unchanged") {
      console.log(
        `Nothing to roll back: deployment ${result.deploymentId} ("${result.label}") already serves "${env}".`,
      );
      return;
    }
    const from = result.previousDeploymentId === null
      ? ""
      : ` (was deployment ${result.previousDeploymentId}, "${result.previousLabel}")`;
    console.log(`Rolled back "${env}" to deployment ${result.deploymentId} ("${result.label}")${from}.`);
  },
};

function positiveInt(value: unknown, flag: string, usage: (message: string) => Error): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^[1-9][0-9]*$/.test(value)) {
    throw usage(`${flag} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}
