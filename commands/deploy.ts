/**
 * `stopgap deploy`: compile the functions directory (or take a source schema) and make it the
 * active deployment of an environment, in one transaction.
 *
 * @module
 */

import type { CheckResult } from "../api/checks.ts";
import { deploy as deployApi, type DeployOptions, type DeployResult } from "../api/deploy.ts";
import type { Command, CommandContext } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { plural, printJson, printTable, printWarnings, progress } from "./_output.ts";

/** Flags choosing what to deploy; shared with `diff`. */
export const SOURCE_FLAGS = {
  dir: { type: "string", short: "d" },
  "from-schema": { type: "string" },
} as const;

/** Help lines of {@linkcode SOURCE_FLAGS}. */
export const SOURCE_HELP =
  `  -d, --dir <dir>         The functions directory (default: "functionsDir" of stopgap.json or of the
                          "stopgap" key of deno.json, else ./functions)
  --from-schema <schema>  Deploy the functions of an existing schema instead of compiling a directory`;

/** The `deploy` command. */
export const deploy: Command = {
  name: "deploy",
  summary: "Compile the functions directory and deploy it to an environment",
  help:
    `Usage: stopgap deploy --env <env> [--dir <dir> | --from-schema <schema>] [--label <label>] [--prune] [--check <file.ts>] [--dry-run] [--force]

Type-checks (deno check) and bundles (deno bundle) every query/mutation export of the functions
directory, writes them into a staging schema and runs stopgap.deploy, all in one transaction: on any
error nothing changes and the previous deployment keeps serving. A function that uses a global plts
does not have (setTimeout, fetch, process, ...) is deployed with a warning on stderr.

With --check, every exported function of the check module runs after the new live functions are in
place and before the commit, in the same transaction, each in a savepoint that is rolled back: it
gets { env, call(name, args), sql } and fails by throwing. One failed check and nothing is deployed.

${ENV_HELP}
${SOURCE_HELP}
  -l, --label <label>     The deployment's label (default: the current time, ISO 8601; required for a
                          protected environment, see stopgap env)
  --prune                 Also drop live functions the new deployment does not have
  --check <file.ts>       Run the checks of this module in the deploy's transaction before the commit
  --dry-run               Print what would change and change nothing (same as stopgap diff); with
                          --check, deploy, run the checks and roll back
  --force                 Deploy even though the live schema drifted (stopgap status shows drift)`,
  flags: {
    ...ENV_FLAG,
    ...SOURCE_FLAGS,
    label: { type: "string", short: "l" },
    prune: { type: "boolean" },
    check: { type: "string" },
    "dry-run": { type: "boolean" },
    force: { type: "boolean" },
  },
  maxArgs: 0,
  run: async (context) => {
    const options = await deployOptions(context);
    const result = await deployApi({
      ...options,
      label: context.flags.label as string | undefined,
      prune: context.flags.prune === true,
      check: context.flags.check as string | undefined,
      dryRun: context.flags["dry-run"] === true,
      force: context.flags.force === true,
    });
    printDeploy(context, result);
  },
};

/**
 * The options every deploy-like command shares: connection, environment, source, progress.
 *
 * @throws {CliError} a usage error for `--dir` with `--from-schema`
 */
export async function deployOptions(context: CommandContext): Promise<DeployOptions> {
  const env = requireEnv(context);
  const dir = context.flags.dir as string | undefined;
  const fromSchema = context.flags["from-schema"] as string | undefined;
  if (dir !== undefined && fromSchema !== undefined) throw context.usage("Pass --dir or --from-schema, not both");
  const sql = await context.db.connect();
  return { sql, env, dir, fromSchema, onPhase: progress(!context.json) };
}

/** Prints a deploy's (or dry run's) result; its warnings go to stderr, and with `--json` also into the JSON. */
export function printDeploy({ json, flags }: CommandContext, result: DeployResult): void {
  printWarnings(result.warnings.map((w) => w.message));
  if (json) {
    printJson(result);
    return;
  }
  const from = "dir" in result.source ? `directory ${result.source.dir}` : `schema ${result.source.schema}`;
  const changed = result.functions.filter((fn) => fn.change !== "unchanged").length;
  const count = result.functions.filter((fn) => fn.change !== "removed").length;
  if (result.status === "dry_run") {
    console.log(
      `Dry run: deploying ${from} to "${result.env}" would change ${plural(changed, "function")} ` +
        `(${count} in total). Nothing was changed.`,
    );
  } else if (result.status === "unchanged") {
    const unused = typeof flags.label === "string" ? `; label "${flags.label}" was not used` : "";
    console.log(
      `Nothing to deploy: "${result.env}" already runs ${count === 1 ? "this function" : `these ${count} functions`} ` +
        `(deployment ${result.deploymentId})${unused}.`,
    );
  } else {
    const replacing = result.previousDeploymentId === null
      ? ""
      : `, replacing deployment ${result.previousDeploymentId}`;
    console.log(
      `Deployed ${plural(count, "function")} from ${from} to "${result.env}" as deployment ` +
        `${result.deploymentId} ("${result.label}")${replacing}.`,
    );
  }
  printTable(
    ["function", "kind", "change", "source"],
    result.functions.map((fn) => [fn.name, fn.kind, fn.change, fn.source]),
  );
  if (result.pruned.length > 0) {
    console.log("Pruned:");
    printTable(["function", "action", "reason"], result.pruned.map((p) => [p.name, p.action, p.reason]));
  }
  const removed = result.functions.filter((fn) => fn.change === "removed");
  if (removed.length > 0 && result.pruned.length === 0 && result.status !== "dry_run") {
    console.log(
      `${plural(removed.length, "function")} of the previous deployment ${removed.length === 1 ? "stays" : "stay"} ` +
        `in the live schema until ` +
        `"stopgap prune --env ${result.env}".`,
    );
  }
  const before = result.status === "dry_run"
    ? "in the dry run's transaction"
    : result.status === "unchanged"
    ? "against the active deployment"
    : "before the commit";
  printChecks(result.checks, flags.check as string, before);
}

/** The checks that passed (nothing when none ran), `when` they ran: `before the commit`, ... */
export function printChecks(checks: CheckResult[], file: string, when: string): void {
  if (checks.length === 0) return;
  console.log(
    `${plural(checks.length, "check")} of ${file} passed ${when}; ${
      checks.length === 1 ? "its" : "their"
    } writes were rolled back:`,
  );
  printTable(["check", "ms"], checks.map((check) => [check.name, check.ms]));
}
