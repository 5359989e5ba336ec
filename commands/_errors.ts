/**
 * Exit codes, the error type commands throw, and {@linkcode fail}, the one place that reports an
 * error to the user.
 *
 * @module
 */

/** The exit codes of the `stopgap` CLI; scripts may rely on them. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** The command ran but the operation failed (a server error, a failed check, ...). */
  Failed: 1,
  /** The command line is wrong: unknown command or flag, missing or extra argument. */
  Usage: 2,
  /** PostgreSQL could not be reached or refused the connection. */
  CannotConnect: 3,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/** Options of a {@linkcode CliError}. */
export interface CliErrorOptions {
  /** The lower-level error that caused this one; its chain is printed too. */
  cause?: unknown;
  /** What the user can do about it, printed after the message. */
  hint?: string;
  /** Help text printed after a usage error. */
  usage?: string;
}

/** An error a command reports to the user, with the exit code the CLI ends with. */
export class CliError extends Error {
  override name = "CliError";
  /** The exit code of the CLI when this error ends it. */
  readonly exitCode: ExitCode;
  /** What the user can do about it. */
  readonly hint?: string;
  /** Help text printed after a usage error. */
  readonly usage?: string;

  constructor(message: string, exitCode: ExitCode = ExitCode.Failed, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.usage = options.usage;
  }
}

/** The fields postgres.js copies from a server error (`PostgresError`). */
interface ServerErrorFields {
  code?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

/**
 * Prints `error` to stderr, with the message of every error in its `cause` chain and the SQLSTATE,
 * detail and hint of server errors, then returns the exit code the CLI should end with.
 */
export function fail(error: unknown): ExitCode {
  const lines = [`error: ${messageOf(error)}`];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined) {
    lines.push(`  caused by: ${messageOf(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (error instanceof CliError && error.hint) lines.push(`hint: ${error.hint}`);
  if (error instanceof CliError && error.usage) lines.push("", error.usage);
  console.error(lines.join("\n"));
  return error instanceof CliError ? error.exitCode : ExitCode.Failed;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's socket layer reports a failed multi-address connect as an AggregateError with no message.
  if (error instanceof AggregateError && !error.message) return error.errors.map(messageOf).join("; ");
  const server = error as ServerErrorFields;
  if (error.name !== "PostgresError" || !server.code) return error.message;
  const parts = [`${error.message} (SQLSTATE ${server.code})`];
  if (server.detail) parts.push(`detail: ${server.detail}`);
  if (server.hint) parts.push(`hint: ${server.hint}`);
  if (server.where) parts.push(`where: ${server.where}`);
  return parts.join("\n    ");
}
