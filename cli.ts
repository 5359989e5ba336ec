/**
 * The `stopgap` command-line interface: parses the command line, dispatches to one
 * `commands/<name>.ts` module and turns errors into messages and exit codes.
 *
 * Exit codes: 0 ok, 1 the operation failed, 2 usage error, 3 cannot connect to PostgreSQL.
 *
 * @example Printing the versions of the CLI and of the database's extensions
 * ```sh
 * deno run -A cli.ts version --db postgres://postgres@127.0.0.1:54329/postgres --json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { VERSION } from "./runtime/mod.ts";
import type { Command, Flags } from "./commands/_command.ts";
import { Database, isPostgresUrl, POSTGRES_URL } from "./commands/_db.ts";
import { CliError, ExitCode, fail } from "./commands/_errors.ts";
import { call } from "./commands/call.ts";
import { deploy } from "./commands/deploy.ts";
import { deployments } from "./commands/deployments.ts";
import { dev } from "./commands/dev.ts";
import { diff } from "./commands/diff.ts";
import { env } from "./commands/env.ts";
import { init } from "./commands/init.ts";
import { promote } from "./commands/promote.ts";
import { prune } from "./commands/prune.ts";
import { rollback } from "./commands/rollback.ts";
import { stats } from "./commands/stats.ts";
import { status } from "./commands/status.ts";
import { types } from "./commands/types.ts";
import { version } from "./commands/version.ts";

/** Every command, by name, in the order the help lists them. `help` is answered here because it lists them. */
const COMMANDS: Record<string, Command> = Object.fromEntries(
  [init, deploy, dev, diff, promote, status, deployments, rollback, prune, env, stats, call, types, version].map((
    c,
  ) => [c.name, c]),
);

/** Flags every command accepts. */
const GLOBAL_FLAGS = {
  db: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies Flags;

const GLOBAL_HELP = `Global flags:
  --db <url>   PostgreSQL connection URL (default: DATABASE_URL, else the PG* environment variables)
  --json       Print one JSON document on stdout instead of text
  -h, --help   Print help and exit

Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 cannot connect to PostgreSQL`;

const USAGE = `stopgap ${VERSION}: TypeScript stored procedures for PostgreSQL, with versioned deployments

Usage: stopgap <command> [flags]

Commands:
${
  [...Object.values(COMMANDS), { name: "help", summary: "Print this help, or a command's: stopgap help <command>" }]
    .map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join("\n")
}

${GLOBAL_HELP}`;

/**
 * Runs the CLI with `args` (without the program name).
 *
 * @param args the command line, e.g. `["version", "--json"]`
 * @returns the exit code
 */
export async function main(args: string[]): Promise<ExitCode> {
  let db: Database | undefined;
  try {
    const name = commandName(args);
    if (name === undefined || name === "help") return help(args);
    const command = COMMANDS[name];
    if (!command) throw usageError(`Unknown command "${name}"`);
    const usage = (message: string) => usageError(message, command);
    const { values, positionals } = parse(args, { ...GLOBAL_FLAGS, ...command.flags }, usage);
    if (values.help) return printHelp(commandHelp(command));
    const commandArgs = positionals.slice(1);
    if (commandArgs.length > command.maxArgs) throw usage(`Unexpected argument "${commandArgs[command.maxArgs]}"`);
    const dbFlag = values.db as string | undefined;
    if (dbFlag !== undefined && !isPostgresUrl(dbFlag)) throw usage(`--db "${dbFlag}" is not ${POSTGRES_URL}`);
    db = new Database(dbFlag);
    await command.run({ flags: values, args: commandArgs, json: values.json === true, db, usage });
    return ExitCode.Ok;
  } catch (error) {
    return fail(error, { json: args.includes("--json") });
  } finally {
    await db?.close();
  }
}

/** The first argument that is not a flag or a flag's value. */
function commandName(args: string[]): string | undefined {
  const { tokens } = parseArgs({ args, options: GLOBAL_FLAGS, strict: false, allowPositionals: true, tokens: true });
  return tokens.find((token) => token.kind === "positional")?.value;
}

/** `stopgap`, `stopgap --help`, `stopgap help` and `stopgap help <command>`. */
function help(args: string[]): ExitCode {
  const { values, positionals } = parse(args, GLOBAL_FLAGS, usageError);
  const [, topic, extra] = positionals;
  if (positionals.length === 0 && !values.help) throw usageError("Missing command");
  if (extra !== undefined) throw usageError(`Unexpected argument "${extra}"`);
  if (topic === undefined) return printHelp(USAGE);
  const command = COMMANDS[topic];
  if (!command) throw usageError(`Unknown command "${topic}"`);
  return printHelp(commandHelp(command));
}

function parse(args: string[], options: Flags, usage: (message: string) => CliError) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util reports e.g. "Unknown option '--x'. To specify a positional argument ..."; keep the first sentence.
    throw usage(error instanceof Error ? error.message.split(". ")[0] : String(error));
  }
}

function commandHelp(command: Command): string {
  return `${command.help}\n\n${GLOBAL_HELP}`;
}

function printHelp(text: string): ExitCode {
  console.log(text);
  return ExitCode.Ok;
}

/**
 * A usage error: the message, the usage line of the command (or of the CLI) and, as the hint, the
 * `stopgap help` that prints the rest.
 */
function usageError(message: string, command?: Command): CliError {
  const help = command?.help ?? USAGE;
  return new CliError(message, ExitCode.Usage, {
    usage: help.split("\n").find((line) => line.startsWith("Usage: ")),
    hint: command ? `stopgap help ${command.name} shows every flag` : "stopgap help lists the commands",
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
