/**
 * The shape of a CLI command module (`commands/<name>.ts`) and what it is given to run.
 *
 * @module
 */

import type { ParseArgsConfig } from "node:util";
import type { Database } from "./_db.ts";
import type { CliError } from "./_errors.ts";

/** Flag declarations in `node:util` `parseArgs` form. */
export type Flags = NonNullable<ParseArgsConfig["options"]>;

/** Parsed flag values, keyed by flag name. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What `cli.ts` hands to a command. */
export interface CommandContext {
  /** The command's own flags and the global ones, parsed. */
  flags: FlagValues;
  /** The arguments after the command name. */
  args: string[];
  /** `--json`: print one JSON document on stdout instead of text. */
  json: boolean;
  /** The database chosen by `--db` or the environment; opened by the command when it needs it. */
  db: Database;
  /** A usage error (exit code 2): `message`, the command's usage line and `stopgap help <command>`. */
  usage(message: string): CliError;
}

/** One `stopgap` command; `cli.ts` dispatches to it by {@linkcode Command.name}. */
export interface Command {
  /** The word that selects the command. */
  name: string;
  /** One line for the command list in the CLI's help. */
  summary: string;
  /** The full help text of `stopgap <name> --help`, without the global flags. */
  help: string;
  /** Flags of this command besides the global ones. */
  flags: Flags;
  /** The largest number of arguments the command takes after its name. */
  maxArgs: number;
  /** Does the work; throws a `CliError` to fail with a message and an exit code. */
  run(context: CommandContext): Promise<void>;
}
