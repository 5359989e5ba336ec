/**
 * `stopgap types`: TypeScript declarations of an environment's deployed functions.
 *
 * @module
 */

import { generateTypes } from "../api/types.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { plural, printJson } from "./_output.ts";

/** The `types` command. */
export const types: Command = {
  name: "types",
  summary: "Write TypeScript declarations of the deployed functions, for createClient<Api>",
  help: `Usage: stopgap types --env <env> [--out <file>]

Generates "export interface Api { <function>: { kind; args; result } }" from the active deployment
of the environment (the JSON Schemas the compiler recorded in each function), for projects that do
not import the function modules: createClient<Api>(sql, { env }). Functions deployed with
--from-schema have unknown args and result.

${ENV_HELP}
  -o, --out <file>        Write to this file (default: print to stdout)`,
  flags: { ...ENV_FLAG, out: { type: "string", short: "o" } },
  maxArgs: 0,
  run: async (context) => {
    const env = requireEnv(context);
    const out = context.flags.out as string | undefined;
    const sql = await context.db.connect();
    const generated = await generateTypes({ sql, env });
    if (out !== undefined) await Deno.writeTextFile(out, generated.code);
    if (context.json) {
      const { code, ...rest } = generated;
      printJson({ ...rest, out: out ?? null, ...(out === undefined ? { code } : {}) });
      return;
    }
    if (out === undefined) {
      console.log(generated.code);
      return;
    }
    console.log(
      `Wrote ${plural(generated.functions.length, "function")} of deployment ${generated.deploymentId} ` +
        `("${generated.label}") to ${out}.`,
    );
  },
};
