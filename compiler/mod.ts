/**
 * The client-side compiler: finds, type-checks and bundles a functions directory into modules that
 * `stopgap deploy` writes into the database.
 *
 * Only its shared defaults exist so far; the compiler itself arrives with the CLI's deploy command.
 *
 * @example Locating the functions directory of a project
 * ```ts
 * import { DEFAULT_FUNCTIONS_DIR } from "./mod.ts";
 *
 * const dir = `./${DEFAULT_FUNCTIONS_DIR}`;
 * ```
 *
 * @module
 */

/**
 * The directory, relative to the project root, that holds one TypeScript module per function.
 *
 * @example Resolving it against a project root
 * ```ts
 * import { DEFAULT_FUNCTIONS_DIR } from "./mod.ts";
 *
 * const url = new URL(`${DEFAULT_FUNCTIONS_DIR}/`, "file:///srv/app/");
 * console.log(url.pathname); // "/srv/app/functions/"
 * ```
 */
export const DEFAULT_FUNCTIONS_DIR = "functions";
