/**
 * `stopgap status`: what serves each environment.
 *
 * @module
 */

import { status as statusApi } from "../api/environments.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, optionalEnv } from "./_env.ts";
import { bold, plural, printJson, printTable } from "./_output.ts";

/** The `status` command. */
export const status: Command = {
  name: "status",
  summary: "Show the active deployment and functions of each environment",
  help: `Usage: stopgap status [--env <env>]

Prints every environment (or only --env) with its live schema, active deployment, since when, the
functions it serves, whether it is protected, and drift: live functions changed, dropped or added
by hand since the active deployment installed them (stopgap.drift).

  -e, --env <name>        Only this environment (default: STOPGAP_ENV, else all)`,
  flags: { ...ENV_FLAG },
  maxArgs: 0,
  run: async (context) => {
    const env = optionalEnv(context);
    const sql = await context.db.connect();
    const environments = await statusApi({ sql, env });
    if (context.json) {
      printJson({ environments });
      return;
    }
    if (environments.length === 0) {
      console.log(`No environments yet: "stopgap deploy --env <name>" creates one.`);
      return;
    }
    for (const e of environments) {
      const active = e.activeDeploymentId === null
        ? "no active deployment"
        : `deployment ${e.activeDeploymentId} ("${e.activeLabel}") since ${e.activeSince}`;
      console.log(`${bold(e.env)}${e.protected ? " (protected)" : ""}: ${active}`);
      console.log(
        `  live schema ${e.liveSchema}, execute role ${e.executeRole}, ` +
          `${plural(e.deploymentCount, "deployment")} (${e.failedCount} failed)`,
      );
      if (e.functions.length > 0) {
        printTable(["function", "kind", "artifact"], e.functions.map((f) => [f.name, f.kind, f.artifactHash]), 4);
      }
      if (e.drift.length > 0) {
        console.log(
          `  ${bold("drift")}: the live schema was changed outside stopgap (stopgap deploy refuses it without --force)`,
        );
        printTable(["function", "drift", "detail"], e.drift.map((d) => [d.name, d.drift, d.detail]), 4);
      }
    }
  },
};
