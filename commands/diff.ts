/**
 * `stopgap diff`: what deploying the functions directory (or a schema) would change.
 *
 * @module
 */

import { diff as diffApi } from "../api/environments.ts";
import type { Command } from "./_command.ts";
import { ENV_FLAG, ENV_HELP } from "./_env.ts";
import { deployOptions, printDeploy, SOURCE_FLAGS, SOURCE_HELP } from "./deploy.ts";

/** The `diff` command. */
export const diff: Command = {
  name: "diff",
  summary: "Show what deploying would change, function by function",
  help: `Usage: stopgap diff --env <env> [--dir <dir> | --from-schema <schema>]

Compiles and stages the functions exactly as deploy does, compares them with the active deployment
(added, changed, unchanged, removed) and rolls everything back. Same as stopgap deploy --dry-run.

${ENV_HELP}
${SOURCE_HELP}`,
  flags: { ...ENV_FLAG, ...SOURCE_FLAGS },
  maxArgs: 0,
  run: async (context) => printDeploy(context, await diffApi(await deployOptions(context))),
};
