/**
 * `stopgap deployments`: the deployment history of an environment.
 *
 * @module
 */

import { deployments as deploymentsApi } from "../api/environments.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { printJson, printTable } from "./_output.ts";

/** The `deployments` command. */
export const deployments: Command = {
  name: "deployments",
  summary: "List the deployments of an environment, newest first",
  help: `Usage: stopgap deployments --env <env>

Lists every deployment of the environment, newest first: id, label, status (active, superseded,
rolled_back, failed, ...), when and by whom, and for failed ones the function and the reason.

${ENV_HELP}`,
  flags: { ...ENV_FLAG },
  maxArgs: 0,
  run: async (context) => {
    const env = requireEnv(context);
    const sql = await context.db.connect();
    const list = await deploymentsApi({ sql, env });
    if (context.json) {
      printJson({ env, deployments: list });
      return;
    }
    printTable(
      ["id", "label", "status", "functions", "created", "by", "note"],
      list.map((d) => [
        d.id,
        d.label,
        d.status,
        d.functionCount,
        d.createdAt,
        d.createdBy,
        d.promotedFrom !== null
          ? `promoted from ${d.promotedFrom.env} deployment ${d.promotedFrom.deploymentId}`
          : d.failureMessage === null || d.failedFunction === null
          ? d.failureMessage
          : `${d.failedFunction}: ${d.failureMessage}`,
      ]),
      0,
    );
  },
};
