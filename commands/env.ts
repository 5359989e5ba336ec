/**
 * `stopgap env protect|unprotect <env>`: mark an environment protected, or not.
 *
 * @module
 */

import { protect } from "../api/workflow.ts";
import type { Command } from "./_command.ts";
import { checkedEnvName } from "./_env.ts";
import { printJson } from "./_output.ts";

/** The `env` command. */
export const env: Command = {
  name: "env",
  summary: "Protect an environment (labelled deploys only, no dev mode), or lift it",
  help: `Usage: stopgap env protect <env>
       stopgap env unprotect <env>

A protected environment (production) takes deploys and promotions only with an explicit --label,
and stopgap dev refuses it unless --force is given. It guards against mistakes: any deployer may
lift it. The environment is created when it does not exist yet. stopgap status shows it.`,
  flags: {},
  maxArgs: 2,
  run: async (context) => {
    const [action, name] = context.args;
    if (action !== "protect" && action !== "unprotect") {
      throw context.usage(
        action === undefined ? "Missing protect or unprotect" : `Unknown action "${action}": use protect or unprotect`,
      );
    }
    if (name === undefined) throw context.usage("Missing the environment name");
    checkedEnvName(context, name);
    const sql = await context.db.connect();
    const isProtected = await protect({ sql, env: name, protected: action === "protect" });
    if (context.json) {
      printJson({ env: name, protected: isProtected });
      return;
    }
    console.log(isProtected ? `Environment "${name}" is protected.` : `Environment "${name}" is no longer protected.`);
  },
};
