/**
 * The error type of the programmatic API.
 *
 * @module
 */

/**
 * A failure of the programmatic API that is not a server error: a stable `code` and a `hint` saying
 * what to do next. Server errors stay postgres.js `PostgresError`s with SQLSTATE, detail and hint.
 *
 * @example Telling an invalid environment name apart
 * ```ts
 * import { StopgapError } from "../mod.ts";
 *
 * const error = new StopgapError("invalid_env", `Invalid environment name "Prod"`, { hint: "Use lowercase" });
 * if (error instanceof StopgapError && error.code === "invalid_env") console.log(error.hint); // "Use lowercase"
 * ```
 */
export class StopgapError extends Error {
  /** Always `StopgapError`. */
  override name = "StopgapError";
  /** Stable, e.g. `invalid_env`, `no_environment`, `invalid_arguments`. */
  readonly code: string;
  /** What to do about it. */
  readonly hint: string | undefined;

  /**
   * Creates the error.
   *
   * @param code the stable code, e.g. `invalid_env`
   * @param message what failed, in a sentence
   * @param options `hint`: what to do about it; `cause`: the underlying error
   */
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
 * @param env the environment name to check
 * @throws {StopgapError} `invalid_env` when it does not match {@linkcode ENV_NAME}
 *
 * @example Checking a name
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
