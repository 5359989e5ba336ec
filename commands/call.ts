/**
 * `stopgap call`: call a deployed function of an environment.
 *
 * @module
 */

import { call as callApi } from "../api/client.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";

/** The `call` command. */
export const call: Command = {
  name: "call",
  summary: "Call a deployed function and print its result as JSON",
  help: `Usage: stopgap call <function> --env <env> [--args '<json>']

Calls the function of the environment's active deployment (stopgap.call_fn) with the arguments and
prints the result as JSON (SQL NULL prints null). Runs with the connecting role's rights.

  <function>              The SQL name, e.g. todos_list_all (see stopgap status)
${ENV_HELP}
  -a, --args <json>       The arguments, a JSON value (default {})`,
  flags: { ...ENV_FLAG, args: { type: "string", short: "a" } },
  maxArgs: 1,
  run: async (context) => {
    const [name] = context.args;
    if (name === undefined) throw context.usage("Missing the function name");
    const env = requireEnv(context);
    let args: unknown = {};
    const text = context.flags.args as string | undefined;
    if (text !== undefined) {
      try {
        args = JSON.parse(text);
      } catch (error) {
        throw context.usage(`--args is not valid JSON: ${(error as Error).message}`);
      }
    }
    const sql = await context.db.connect();
    const result = await callApi({ sql, env, name, args });
    console.log(JSON.stringify(result ?? null, null, context.json ? undefined : 2));
  },
};
