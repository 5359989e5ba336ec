/**
 * Flags and checks shared by the commands that work on one environment.
 *
 * @module
 */

import { ENV_NAME } from "../api/errors.ts";
import type { CommandContext, Flags } from "./_command.ts";

/** `--env <name>`, with `STOPGAP_ENV` as the default. */
export const ENV_FLAG = { env: { type: "string", short: "e" } } satisfies Flags;

/** The help line of {@linkcode ENV_FLAG}. */
export const ENV_HELP = "  -e, --env <name>        The environment, e.g. prod (default: STOPGAP_ENV)";

/**
 * The environment of `--env` or `STOPGAP_ENV`.
 *
 * @throws {CliError} a usage error when it is missing or not a valid name
 */
export function requireEnv(context: CommandContext): string {
  const env = (context.flags.env as string | undefined) ?? Deno.env.get("STOPGAP_ENV");
  if (env === undefined || env === "") throw context.usage("Missing --env <name> (or set STOPGAP_ENV)");
  return checkedEnvName(context, env);
}

/**
 * `env` when it is a valid environment name; `where` (e.g. ` for --from`) is added to the error.
 *
 * @throws {CliError} a usage error when it is not
 */
export function checkedEnvName(context: CommandContext, env: string, where = ""): string {
  if (!ENV_NAME.test(env)) {
    throw context.usage(
      `Invalid environment name "${env}"${where}: use a lowercase letter, then up to 47 lowercase letters, digits or _`,
    );
  }
  return env;
}

/** The environment of `--env` or `STOPGAP_ENV`, or `undefined`; checked like {@linkcode requireEnv}. */
export function optionalEnv(context: CommandContext): string | undefined {
  const env = (context.flags.env as string | undefined) ?? Deno.env.get("STOPGAP_ENV");
  return env === undefined || env === "" ? undefined : requireEnv(context);
}
