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
  /** A stable code for `--json` (`no_database`, `no_extension`, ...). */
  code?: string;
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
  /** A stable code for `--json`, when the error has one. */
  readonly code?: string;

  constructor(message: string, exitCode: ExitCode = ExitCode.Failed, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.usage = options.usage;
    this.code = options.code;
  }
}

/** The fields postgres.js copies from a server error (`PostgresError`). */
interface ServerErrorFields {
  code?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

/** Fields of the API's errors (`CompileError`, `StopgapError`) that the report uses. */
interface ApiErrorFields {
  code?: unknown;
  hint?: unknown;
  diagnostics?: unknown;
  collisions?: unknown;
}

/** What `--json` prints on stdout when a command fails. */
export interface ErrorReport {
  error: {
    message: string;
    exitCode: ExitCode;
    /** A stable code of the CLI or API (`type_error`, `name_collision`, ...) or the server's SQLSTATE. */
    code: string | null;
    hint: string | null;
    /** The server's DETAIL. */
    detail: string | null;
    /** Compile diagnostics: `{file, line, column, code, message}`. */
    diagnostics: unknown[];
    /** Name collisions: `{name, sources: [a, b]}`. */
    collisions: unknown[];
  };
}

/**
 * Prints `error` to stderr, with the message of every error in its `cause` chain, the SQLSTATE,
 * detail and hint of server errors and the hint of the CLI's and API's errors, then returns the
 * exit code the CLI should end with. With `json`, also prints an {@linkcode ErrorReport} on stdout.
 */
export function fail(error: unknown, options: { json?: boolean } = {}): ExitCode {
  const lines = [`error: ${messageOf(error)}`];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined) {
    lines.push(`  caused by: ${messageOf(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const hint = hintOf(error);
  if (hint) lines.push(`hint: ${hint}`);
  if (error instanceof CliError && error.usage) lines.push("", error.usage);
  console.error(lines.join("\n"));
  const exitCode = error instanceof CliError ? error.exitCode : ExitCode.Failed;
  if (options.json) {
    const fields = (error ?? {}) as ApiErrorFields & ServerErrorFields;
    const report: ErrorReport = {
      error: {
        message: error instanceof Error ? error.message : String(error),
        exitCode,
        code: typeof fields.code === "string" ? fields.code : null,
        hint: hint ?? (typeof fields.hint === "string" ? fields.hint : null),
        detail: typeof fields.detail === "string" ? fields.detail : null,
        diagnostics: Array.isArray(fields.diagnostics) ? fields.diagnostics : [],
        collisions: Array.isArray(fields.collisions) ? fields.collisions : [],
      },
    };
    console.log(JSON.stringify(report, null, 2));
  }
  return exitCode;
}

/** The hint of a `CliError` or an API error; a server error's hint is part of its message. */
function hintOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name === "PostgresError") return undefined;
  const hint = (error as ApiErrorFields).hint;
  return typeof hint === "string" && hint !== "" ? hint : undefined;
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
  const where = server.where ? userContext(server.where) : "";
  if (where) parts.push(`where: ${where}`);
  return parts.join("\n    ");
}

/**
 * The context lines of a server error without those inside stopgap's own functions
 * (`PL/pgSQL function stopgap.require_environment(text) line 4 at RAISE`): they say where the
 * extension raised the error, which is nothing a user can act on.
 */
function userContext(where: string): string {
  return where.split("\n").filter((line) => !/\bfunction stopgap\./.test(line)).join("\n");
}
