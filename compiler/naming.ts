/**
 * The SQL name of a deployable function, derived from its module's path inside the functions
 * directory and its export name.
 *
 * The rule (documented in docs/CLI.md):
 *
 * 1. Take the module's path relative to the functions directory, without its extension, split at `/`.
 * 2. Append the export name, unless it is `default`.
 * 3. Turn each part into lower snake case: a lowercase letter or digit followed by an uppercase letter
 *    gets a `_` between them (`listAll` → `list_all`, `HTTPServer` → `http_server`), every character
 *    other than `a`–`z`, `0`–`9` becomes `_`, runs of `_` collapse and leading or trailing `_` go.
 * 4. Join the parts with `_`.
 *
 * `functions/todos.ts` `export const listAll` → `todos_list_all`; `functions/admin/users.ts`
 * `export default` → `admin_users`. Two sources with one name are an error naming both.
 *
 * @module
 */

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
export const MAX_NAME_BYTES = 63;

/**
 * One word in lower snake case.
 *
 * @param word a path segment or export name, e.g. `listAll` or `user-profile`
 * @returns e.g. `list_all`, `user_profile`
 *
 * @example
 * ```ts
 * import { snakeCase } from "./naming.ts";
 *
 * console.log(snakeCase("HTTPServer")); // "http_server"
 * ```
 */
export function snakeCase(word: string): string {
  return word
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * The SQL name of export `exportName` of the module at `relativePath`.
 *
 * @param relativePath the module's path relative to the functions directory, with `/` separators
 * @param exportName the export's name; `default` adds nothing
 * @returns the lower snake case name, e.g. `todos_list_all`
 * @throws {Error} when the name is empty, starts with a digit or is longer than 63 bytes
 *
 * @example
 * ```ts
 * import { sqlName } from "./naming.ts";
 *
 * console.log(sqlName("todos.ts", "listAll")); // "todos_list_all"
 * console.log(sqlName("admin/users.ts", "default")); // "admin_users"
 * ```
 */
export function sqlName(relativePath: string, exportName: string): string {
  const parts = relativePath.replace(/\.[^./]+$/, "").split("/");
  if (exportName !== "default") parts.push(exportName);
  const name = parts.map(snakeCase).filter((part) => part !== "").join("_");
  const source = `${relativePath}#${exportName}`;
  if (name === "") throw new Error(`Cannot derive a SQL name from "${source}": it has no letters or digits`);
  if (/^[0-9]/.test(name)) {
    throw new Error(`The SQL name "${name}" of "${source}" starts with a digit; rename the file or the export`);
  }
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) {
    throw new Error(
      `The SQL name "${name}" of "${source}" is longer than ${MAX_NAME_BYTES} bytes; use a shorter path or export name`,
    );
  }
  return name;
}

/** Where a deployable function comes from. */
export interface FunctionSource {
  /** The module's path relative to the project root, e.g. `functions/todos.ts`. */
  file: string;
  /** The module's path relative to the functions directory, e.g. `todos.ts`; the name is derived from it. */
  relativePath: string;
  /** The export's name, `default` for the default export. */
  exportName: string;
}

/** Two sources whose SQL names are equal. */
export interface NameCollision {
  /** The shared SQL name. */
  name: string;
  /** Both sources, as `file#export`. */
  sources: [string, string];
}

/**
 * Names every source and finds the collisions.
 *
 * @param sources the exports to deploy
 * @returns the named sources in the given order, and every pair of sources sharing a name
 *
 * @example
 * ```ts
 * import { assignNames } from "./naming.ts";
 *
 * const { collisions } = assignNames([
 *   { file: "functions/todos.ts", relativePath: "todos.ts", exportName: "listAll" },
 *   { file: "functions/todos/list.ts", relativePath: "todos/list.ts", exportName: "all" },
 * ]);
 * console.log(collisions[0].name); // "todos_list_all"
 * ```
 */
export function assignNames<S extends FunctionSource>(
  sources: S[],
): { named: (S & { name: string })[]; collisions: NameCollision[] } {
  const seen = new Map<string, S>();
  const named: (S & { name: string })[] = [];
  const collisions: NameCollision[] = [];
  for (const source of sources) {
    const name = sqlName(source.relativePath, source.exportName);
    const earlier = seen.get(name);
    if (earlier) {
      collisions.push({
        name,
        sources: [`${earlier.file}#${earlier.exportName}`, `${source.file}#${source.exportName}`],
      });
      continue;
    }
    seen.set(name, source);
    named.push({ ...source, name });
  }
  return { named, collisions };
}
