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
  /** The usage line printed after a usage error's message (`Usage: stopgap deploy --env <env> ...`). */
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
  /** The usage line printed after a usage error's message. */
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
  checks?: unknown;
}

/** What `--json` prints on stdout when a command fails. */
export interface ErrorReport {
  error: {
    message: string;
    exitCode: ExitCode;
    /** A stable code of the CLI or API (`type_error`, `name_collision`, ...) or the server's SQLSTATE. */
    code: string | null;
    /** What to do next; a server's hint in the CLI's words (CLI commands, not SQL). */
    hint: string | null;
    /** The server's DETAIL. */
    detail: string | null;
    /** Compile diagnostics: `{file, line, column, code, message}`. */
    diagnostics: unknown[];
    /** Name collisions: `{name, sources: [a, b]}`. */
    collisions: unknown[];
    /** Only for a failed check (`check_failed`): every check that ran, `{name, status, ms, error}`. */
    checks?: unknown[];
  };
}

/**
 * Prints `error` to stderr, with the message of every error in its `cause` chain, the SQLSTATE,
 * detail and context of server errors, a usage error's usage line, and the hint: the CLI's or the
 * API's, or the server's in the CLI's words ({@linkcode cliHint}). Then returns the exit code the
 * CLI should end with. With `json`, also prints an {@linkcode ErrorReport} on stdout.
 */
export function fail(error: unknown, options: { json?: boolean } = {}): ExitCode {
  printError(error);
  const report = errorReport(error);
  if (options.json) console.log(JSON.stringify(report, null, 2));
  return report.error.exitCode;
}

/** Prints `error` to stderr as {@linkcode fail} does, without ending anything: `stopgap dev` reports each failed cycle so. */
export function printError(error: unknown): void {
  const lines = [`error: ${messageOf(error, false)}`];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined) {
    lines.push(`  caused by: ${messageOf(cause, true)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (error instanceof CliError && error.usage) lines.push(error.usage);
  const hint = hintOf(error);
  if (hint) lines.push(labelled("hint: ", hint));
  console.error(lines.join("\n"));
}

/** What `--json` prints for `error`: its message, exit code, stable code, hint, detail, diagnostics, collisions and failed checks. */
export function errorReport(error: unknown): ErrorReport {
  const fields = (error ?? {}) as ApiErrorFields & ServerErrorFields;
  return {
    error: {
      message: error instanceof Error ? error.message : String(error),
      exitCode: error instanceof CliError ? error.exitCode : ExitCode.Failed,
      code: typeof fields.code === "string" ? fields.code : null,
      hint: hintOf(error) ?? null,
      detail: typeof fields.detail === "string" ? fields.detail : null,
      diagnostics: Array.isArray(fields.diagnostics) ? fields.diagnostics : [],
      collisions: Array.isArray(fields.collisions) ? fields.collisions : [],
      ...(fields.code === "check_failed" && Array.isArray(fields.checks) ? { checks: fields.checks } : {}),
    },
  };
}

/** The hint of a `CliError`, an API error or a server error (in the CLI's words). */
function hintOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const hint = (error as ApiErrorFields).hint;
  if (typeof hint !== "string" || hint === "") return undefined;
  return error.name === "PostgresError" ? cliHint(hint, error.message) : hint;
}

function messageOf(error: unknown, withHint: boolean): string {
  if (!(error instanceof Error)) return String(error);
  // Node's socket layer reports a failed multi-address connect as an AggregateError with no message.
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map((e) => messageOf(e, withHint)).join("; ");
  }
  const server = error as ServerErrorFields;
  if (error.name !== "PostgresError" || !server.code) return error.message;
  const parts = [`${error.message} (SQLSTATE ${server.code})`];
  if (server.detail) parts.push(labelled("    detail: ", server.detail));
  const where = server.where ? userContext(server.where) : "";
  if (where) parts.push(labelled("    where: ", where));
  if (withHint && server.hint) parts.push(labelled("    hint: ", cliHint(server.hint, error.message)));
  return parts.join("\n");
}

/** `label` before the first line of `text`, its other lines indented to match. */
function labelled(label: string, text: string): string {
  return label + text.split("\n").join(`\n${" ".repeat(label.length)}`);
}

/**
 * The context lines of a server error without those inside stopgap's own functions
 * (`PL/pgSQL function stopgap.require_environment(text) line 4 at RAISE`) and the statements those
 * functions ran (`SQL statement "SELECT stopgap.require_environment(env)"`, followed by the line of
 * the function that ran it): they say where the extension raised the error, which is nothing a
 * user can act on.
 */
function userContext(where: string): string {
  const lines = where.split("\n");
  const internal = (line: string | undefined) => line !== undefined && /\bfunction stopgap\./.test(line);
  return lines.filter((line, i) => !internal(line) && !(line.startsWith("SQL statement ") && internal(lines[i + 1])))
    .join("\n");
}

/**
 * The hints of the stopgap extension that name SQL, each with what the CLI says instead. `env` is
 * the environment the error's message names (`environment "prod" ...`).
 */
const SERVER_HINTS: { hint: RegExp; cli: (match: RegExpMatchArray, env: string) => string }[] = [
  {
    hint: /^An environment is created by its first stopgap\.deploy\(\); stopgap\.environment_overview lists them\.$/,
    cli: (_, env) => `stopgap deploy --env ${env} creates it; stopgap status lists the environments`,
  },
  {
    hint: /^SELECT \* FROM stopgap\.status\('([^']*)'\) shows the active deployment\.$/,
    cli: ([, env]) => `stopgap status --env ${env} lists the functions it serves`,
  },
  {
    hint: /^SELECT \* FROM stopgap\.deployments\('([^']*)'\) lists (?:them|the deployments)\.$/,
    cli: ([, env]) => `stopgap deployments --env ${env} lists its deployments`,
  },
  {
    hint: /^(.*)The attempt is recorded as failed deployment (\d+): SELECT \* FROM stopgap\.deployments\('([^']*)'\);$/,
    cli: ([, before, id, env]) =>
      `${before}The attempt is recorded as failed deployment ${id}: ` +
      `stopgap deployments --env ${env} shows it`,
  },
  {
    hint: /^Labels name one deployment each; choose a new label (\(.*\))\.$/,
    cli: ([, why]) => `Pass another --label ${why}`,
  },
];

/** SQL that other server hints may name, and the CLI command for it. */
const SQL_COMMANDS: [RegExp, string][] = [
  [/SELECT \* FROM stopgap\.status\('([^']*)'\);?/g, "stopgap status --env $1"],
  [/SELECT \* FROM stopgap\.deployments\('([^']*)'\);?/g, "stopgap deployments --env $1"],
  [/stopgap\.environment_overview/g, "stopgap status"],
];

/**
 * A server hint in the CLI's words: a known hint of the stopgap extension ({@linkcode SERVER_HINTS})
 * becomes the sentence the CLI uses, and the SQL of any other ({@linkcode SQL_COMMANDS}) becomes the
 * CLI command that shows the same; line by line, for multi-line hints.
 *
 * @param hint the server's HINT
 * @param message the server's message, for the environment it names
 */
export function cliHint(hint: string, message: string): string {
  const env = /\benvironment "([^"]+)"/.exec(message)?.[1] ?? "<name>";
  return hint.split("\n").map((line) => {
    for (const known of SERVER_HINTS) {
      const match = known.hint.exec(line);
      if (match) return known.cli(match, env);
    }
    return SQL_COMMANDS.reduce((text, [sql, command]) => text.replace(sql, command), line);
  }).join("\n");
}
