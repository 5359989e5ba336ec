/**
 * `stopgap stats`: calls and time of each live function, from PostgreSQL's own counters.
 *
 * @module
 */

import { stats as statsApi } from "../api/workflow.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { printJson, printTable } from "./_output.ts";

/** The `stats` command. */
export const stats: Command = {
  name: "stats",
  summary: "Show calls and time of each live function (pg_stat_user_functions)",
  help: `Usage: stopgap stats --env <env>

Prints, for each function of the active deployment, its calls, total and mean time, and the
deployment it belongs to. The counts are PostgreSQL's own (pg_stat_user_functions): kept only while
track_functions is 'pl' or 'all', reported by each backend when its transaction ends, and added up
across the deployments a function served. stopgap stats says when tracking is off.

${ENV_HELP}`,
  flags: { ...ENV_FLAG },
  maxArgs: 0,
  run: async (context) => {
    const env = requireEnv(context);
    const sql = await context.db.connect();
    const result = await statsApi({ sql, env });
    if (context.json) {
      printJson(result);
      return;
    }
    const tracking = result.trackFunctions === "none"
      ? `Call tracking is off (track_functions = 'none'): PostgreSQL counts no calls, so every count is 0. ` +
        `Turn it on with ALTER SYSTEM SET track_functions = 'pl' and SELECT pg_reload_conf() (or per role or database).`
      : null;
    if (tracking) console.log(tracking);
    if (result.functions.length === 0) {
      console.log(`Environment "${env}" has no active deployment.`);
      return;
    }
    printTable(
      ["function", "kind", "deployment", "calls", "total ms", "mean ms"],
      result.functions.map((f) => [
        f.name,
        f.kind,
        String(f.deploymentId),
        String(f.calls),
        f.totalMs.toFixed(3),
        f.meanMs === null ? "-" : f.meanMs.toFixed(3),
      ]),
    );
  },
};
