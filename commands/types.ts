/**
 * `stopgap types`: TypeScript declarations of an environment's deployed functions, and of tables' rows.
 *
 * @module
 */

import { StopgapError } from "../api/errors.ts";
import { generateTableTypes, parseTables, type TableRef } from "../api/table_types.ts";
import { generateTypes } from "../api/types.ts";
import type { Command, CommandContext } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, optionalEnv } from "./_env.ts";
import { plural, printJson } from "./_output.ts";

/** The `types` command. */
export const types: Command = {
  name: "types",
  summary: "Write TypeScript declarations of the deployed functions, for createClient<Api>, and of tables' rows",
  help: `Usage: stopgap types [--env <env>] [--tables <list>] [--out <file>]

With --env, generates "export interface Api { <function>: { kind; args; result } }" from the active
deployment of the environment (the JSON Schemas the compiler recorded in each function), for
projects that do not import the function modules: createClient<Api>(sql, { env }). Functions
deployed with --from-schema have unknown args and result.

With --tables (alone or with --env), generates an interface per table or view, typed as plts
gives its rows to JavaScript ("export interface TodoItems { ... }" for public.todo_items), for
ctx.db.query<TodoItems>(...) and TriggerContext<TodoItems>, and the composite and enum types
their columns use.

${ENV_HELP}
  -t, --tables <list>     Schemas and tables, comma-separated: public,audit.events (a schema: every
                          table and view in it; unquoted names fold to lower case, "Quoted" ones do
                          not). May be repeated
  -o, --out <file>        Write to this file (default: print to stdout)`,
  flags: {
    ...ENV_FLAG,
    tables: { type: "string", short: "t", multiple: true },
    out: { type: "string", short: "o" },
  },
  maxArgs: 0,
  run: async (context) => {
    const tables = tablesOf(context);
    const env = optionalEnv(context);
    if (env === undefined && tables === undefined) {
      throw context.usage("Missing --env <name> (or set STOPGAP_ENV), or --tables <list>");
    }
    const out = context.flags.out as string | undefined;
    // Tables alone need neither extension: their types come from PostgreSQL's own catalogs.
    const sql = await context.db.connect({ requireStopgap: env !== undefined });
    const generated = env === undefined
      ? await generateTableTypes({ sql, tables: tables! })
      : await generateTypes({ sql, env, tables });
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
    const parts: string[] = [];
    if ("deploymentId" in generated) {
      parts.push(
        `${plural(generated.functions.length, "function")} of deployment ${generated.deploymentId} ` +
          `("${generated.label}")`,
      );
    }
    if (generated.tables) {
      const typeCount = generated.types?.length ?? 0;
      parts.push(
        `${plural(generated.tables.length, "table")}` + (typeCount > 0 ? ` (and ${plural(typeCount, "type")})` : ""),
      );
    }
    console.log(`Wrote ${parts.join(" and ")} to ${out}.`);
  },
};

/** The entries of every `--tables` flag; a list that does not parse is a usage error. */
function tablesOf(context: CommandContext): TableRef[] | undefined {
  const values = context.flags.tables as string[] | undefined;
  if (values === undefined) return undefined;
  try {
    return values.flatMap(parseTables);
  } catch (error) {
    if (error instanceof StopgapError) throw context.usage(error.message);
    throw error;
  }
}
