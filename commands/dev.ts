/**
 * `stopgap dev`: watch the functions directory and deploy it to an environment after each save,
 * printing each deploy as `stopgap deploy` does, until Ctrl-C.
 *
 * @module
 */

import { DEFAULT_DEBOUNCE_MS, dev as devApi, type DevCycle } from "../api/dev.ts";
import type { Command, CommandContext } from "./_command.ts";
import { ENV_FLAG, ENV_HELP, requireEnv } from "./_env.ts";
import { errorReport, printError } from "./_errors.ts";
import { plural, printWarnings } from "./_output.ts";
import { printDeploy } from "./deploy.ts";

/** The signals that stop `dev`; a second one ends the process at once. (Windows has no SIGTERM to listen to.) */
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];

/** The `dev` command. */
export const dev: Command = {
  name: "dev",
  summary: "Watch the functions directory and deploy it to an environment on each save",
  help: `Usage: stopgap dev --env <env> [--dir <dir>] [--force]

Deploys the functions directory to the environment, then again after each save, each time as
stopgap deploy does (type check, bundle, one transaction), labelled dev-<time>. The function
modules, the files they import inside the project, deno.json and stopgap.json are watched; a burst
of changes (until ${DEFAULT_DEBOUNCE_MS} ms pass without one) is one deploy, and a change during a deploy starts
another after it. A failure (a type error, a bundle error, a server error) is printed as deploy
prints it, the previous deployment keeps serving, and the watch goes on. Each deploy ends with one
line on stderr: what changed and how long from the save until the functions were callable.

Ctrl-C or SIGTERM stops it: the running deploy rolls back or finishes, the connection is closed and
dev exits 0 (a second Ctrl-C exits 130 at once). With --json, each deploy is one JSON object on
stdout, on one line.

${ENV_HELP}
  -d, --dir <dir>         The functions directory (default: "functionsDir" of stopgap.json or of the
                          "stopgap" key of deno.json, else ./functions)
  --force                 Watch a protected environment too (stopgap env), and deploy over drift`,
  flags: { ...ENV_FLAG, dir: { type: "string", short: "d" }, force: { type: "boolean" } },
  maxArgs: 0,
  run: async (context) => {
    const env = requireEnv(context);
    const sql = await context.db.connect();
    const stop = new AbortController();
    let signals = 0;
    const onSignal = () => {
      // The first stops after the running step; a second one (an impatient Ctrl-C) ends the process now.
      if (++signals > 1) Deno.exit(130);
      stop.abort();
    };
    for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
    let serving: number | null = null;
    try {
      await devApi({
        sql,
        env,
        dir: context.flags.dir as string | undefined,
        force: context.flags.force === true,
        signal: stop.signal,
        onWatching: (dir) => {
          if (!context.json) console.error(`Watching ${dir}: each save deploys to "${env}" (Ctrl-C stops)`);
        },
        onCycle: (cycle) => {
          serving = cycle.result?.deploymentId ?? serving;
          printCycle(context, cycle, serving);
        },
      });
    } finally {
      for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
    }
    if (!context.json) console.error(serving === null ? "Stopped" : `Stopped; deployment ${serving} serves "${env}"`);
  },
};

/**
 * One cycle: the deploy's output as `stopgap deploy` prints it (or the error as every command prints
 * it), then the cycle's line on stderr; with `--json`, one line of JSON on stdout instead.
 */
function printCycle(context: CommandContext, cycle: DevCycle, serving: number | null): void {
  if (context.json) {
    if (cycle.result !== null) printWarnings(cycle.result.warnings.map((w) => w.message));
    else printError(cycle.error);
    const { cycle: number, status, files, savedAt, ms, phases, result } = cycle;
    const error = cycle.error === null ? null : errorReport(cycle.error).error;
    console.log(JSON.stringify({ cycle: number, status, files, savedAt, ms, phases, result, error }));
    return;
  }
  if (cycle.result !== null) printDeploy(context, cycle.result);
  else printError(cycle.error);
  console.error(`[${new Date().toTimeString().slice(0, 8)}] ${cycleLine(cycle, serving)}`);
}

/**
 * What started the cycle and what came of it, e.g.
 * `functions/hello.ts: deployment 2 live 0.91 s after the save (hello changed)`.
 */
function cycleLine(cycle: DevCycle, serving: number | null): string {
  const what = cycle.files.length === 0 ? "start" : listed(cycle.files);
  const seconds = `${(cycle.ms / 1000).toFixed(2)} s`;
  const { result } = cycle;
  if (result === null) {
    const keeps = serving === null ? "" : `; deployment ${serving} keeps serving`;
    return `${what}: ${failure(cycle.error)}, nothing deployed (${seconds})${keeps}`;
  }
  if (cycle.status === "unchanged") {
    return `${what}: no function changed, deployment ${result.deploymentId} still serves (${seconds})`;
  }
  const when = cycle.files.length === 0 ? `after ${seconds}` : `${seconds} after the save`;
  return `${what}: deployment ${result.deploymentId} live ${when} (${changes(result.functions)})`;
}

/** `hello changed; notes_add added`, or `5 functions added` for more than three in one group. */
function changes(functions: { name: string; change: string }[]): string {
  const groups = ["added", "changed", "removed"].map((change) => {
    const names = functions.filter((fn) => fn.change === change).map((fn) => fn.name);
    if (names.length === 0) return undefined;
    return `${names.length > 3 ? plural(names.length, "function") : names.join(", ")} ${change}`;
  }).filter((group) => group !== undefined);
  return groups.length === 0 ? "no function changed" : groups.join("; ");
}

/** Up to three files, then `and <n> more files`. */
function listed(files: string[]): string {
  if (files.length <= 3) return files.join(", ");
  return `${files.slice(0, 3).join(", ")} and ${plural(files.length - 3, "more file")}`;
}

/** What failed, in a few words: `type check failed`, `deploy failed (SQLSTATE 42P13)`. */
function failure(error: unknown): string {
  const { code } = errorReport(error).error;
  const compile = code === null ? undefined : COMPILE_FAILURES[code];
  if (compile !== undefined && error instanceof Error && error.name === "CompileError") return compile;
  if (error instanceof Error && error.name === "PostgresError" && code !== null) {
    return `deploy failed (SQLSTATE ${code})`;
  }
  return "deploy failed";
}

/** The compiler's error codes in words. */
const COMPILE_FAILURES: Record<string, string> = {
  no_functions_dir: "no functions directory",
  no_functions: "no functions",
  type_error: "type check failed",
  inspect_failed: "importing the modules failed",
  invalid_name: "invalid function name",
  name_collision: "two functions with one name",
  bundle_failed: "bundling failed",
};
