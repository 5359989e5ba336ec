/**
 * The error type of the programmatic API.
 *
 * @module
 */

/**
 * A failure of the programmatic API that is not a server error: a stable `code` and a `hint` saying
 * what to do next. Server errors stay postgres.js `PostgresError`s with SQLSTATE, detail and hint.
 */
export class StopgapError extends Error {
  override name = "StopgapError";
  /** Stable, e.g. `invalid_env`, `no_environment`, `invalid_arguments`. */
  readonly code: string;
  /** What to do about it. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** Environment names stopgap accepts: a lowercase letter, then up to 47 lowercase letters, digits or `_`. */
export const ENV_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * Throws a {@linkcode StopgapError} (`invalid_env`) unless `env` is a valid environment name.
 *
 * @example
 * ```ts
 * import { checkEnvName } from "./errors.ts";
 *
 * checkEnvName("prod"); // fine
 * ```
 */
export function checkEnvName(env: string): void {
  if (!ENV_NAME.test(env)) {
    throw new StopgapError(
      "invalid_env",
      `Invalid environment name "${env}"`,
      { hint: "Use a lowercase letter, then up to 47 lowercase letters, digits or _ (e.g. prod, staging_eu)" },
    );
  }
}
