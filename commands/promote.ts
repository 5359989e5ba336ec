/**
 * `stopgap promote`: deploy the exact artifacts of one environment's active deployment to another.
 *
 * @module
 */

import { promote as promoteApi } from "../api/workflow.ts";
import type { Command, CommandContext } from "./_command.ts";
import { printChecks } from "./deploy.ts";
import { checkedEnvName } from "./_env.ts";
import { printJson } from "./_output.ts";

/** The `promote` command. */
export const promote: Command = {
  name: "promote",
  summary: "Deploy another environment's active artifacts, unchanged (no compilation)",
  help: `Usage: stopgap promote --from <env> --to <env> [--label <label>] [--check <file.ts>] [--force]

Makes the functions of the --from environment's active deployment, with the same artifact hashes,
a new deployment of --to, in one transaction. Nothing is compiled: what was tested in --from is what
--to runs. The deployment records where it came from (stopgap deployments shows it); stopgap
rollback --env <to> undoes it like any deployment.

  --from <env>            The environment to promote, e.g. staging
  --to <env>              The environment that gets it, e.g. prod
  -l, --label <label>     The new deployment's label (default <from>-<deployment id>; required
                          when --to is protected)
  --check <file.ts>       Run the checks of this module against --to's new functions in the promotion's
                          transaction, before the commit (as stopgap deploy --check)
  --force                 Promote even though the live schema of --to drifted`,
  flags: {
    from: { type: "string" },
    to: { type: "string" },
    label: { type: "string", short: "l" },
    force: { type: "boolean" },
    check: { type: "string" },
  },
  maxArgs: 0,
  run: async (context) => {
    const from = envFlag(context, "from");
    const to = envFlag(context, "to");
    if (from === to) throw context.usage(`--from and --to are both "${from}": promote to another environment`);
    const sql = await context.db.connect();
    const result = await promoteApi({
      sql,
      from,
      to,
      label: context.flags.label as string | undefined,
      force: context.flags.force === true,
      check: context.flags.check as string | undefined,
    });
    if (context.json) {
      printJson(result);
      return;
    }
    if (result.status === "unchanged") {
      console.log(
        `Nothing to promote: "${to}" already serves the artifacts of deployment ${result.fromDeploymentId} of "${from}".`,
      );
      return;
    }
    const previous = result.previousDeploymentId === null
      ? ""
      : `, replacing deployment ${result.previousDeploymentId}`;
    console.log(
      `Promoted deployment ${result.fromDeploymentId} of "${from}" to "${to}" as deployment ${result.deploymentId} ("${result.label}")${previous}.`,
    );
    printChecks(result.checks, context.flags.check as string, "before the commit");
  },
};

/** The environment of `--from` or `--to`. */
function envFlag(context: CommandContext, flag: "from" | "to"): string {
  const value = context.flags[flag];
  if (typeof value !== "string" || value === "") throw context.usage(`Missing --${flag} <env>`);
  return checkedEnvName(context, value, ` for --${flag}`);
}
