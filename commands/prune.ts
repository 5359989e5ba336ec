/**
 * `stopgap prune`: drop live functions the active deployment does not have.
 *
 * @module
 */

import { prune as pruneApi } from "../api/environments.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { printJson, printTable } from "./_output.ts";

/** The `prune` command. */
export const prune: Command = {
  name: "prune",
  summary: "Drop live functions that the active deployment does not have",
  help: `Usage: stopgap prune --env <env>

Deploy and rollback never drop functions. prune drops every live function of the environment that
the active deployment does not have; a function something depends on (a view, ...) is skipped with
the reason.

${ENV_HELP}`,
  flags: { ...ENV_FLAG },
  maxArgs: 0,
  run: async (context) => {
    const env = requireEnv(context);
    const sql = await context.db.connect();
    const functions = await pruneApi({ sql, env });
    if (context.json) {
      printJson({ env, functions });
      return;
    }
    if (functions.length === 0) {
      console.log(`Nothing to prune in "${env}".`);
      return;
    }
    printTable(["function", "action", "reason"], functions.map((f) => [f.name, f.action, f.reason]), 0);
  },
};
