/**
 * A project on disk: where its functions directory is, which `deno.json` resolves its imports, and
 * which modules in the functions directory are function modules.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/**
 * The directory, relative to the project root, that holds the function modules when nothing else is
 * configured.
 *
 * @example Resolving it against a project root
 * ```ts
 * import { DEFAULT_FUNCTIONS_DIR } from "./project.ts";
 *
 * const url = new URL(`${DEFAULT_FUNCTIONS_DIR}/`, "file:///srv/app/");
 * console.log(url.pathname); // "/srv/app/functions/"
 * ```
 */
export const DEFAULT_FUNCTIONS_DIR = "functions";

/** Where a project's pieces are; every path is absolute. */
export interface Project {
  /** The project root: the directory given, or the current directory. */
  root: string;
  /** The functions directory. */
  functionsDir: string;
  /** The `deno.json`/`deno.jsonc` nearest to the functions directory (its import map resolves imports). */
  denoConfig: string | undefined;
  /** Where the functions directory came from, for messages. */
  configuredBy: "--dir" | "stopgap.json" | "deno.json" | "default";
}

/** Options of {@linkcode loadProject}. */
export interface ProjectOptions {
  /** The project root; default: the current directory. */
  root?: string;
  /** The functions directory, relative to the current directory or absolute; overrides the configuration. */
  dir?: string;
}

/**
 * Reads the project's configuration: `functionsDir` from `stopgap.json`, else from the `stopgap` key
 * of `deno.json`, else `functions`.
 *
 * @param options the root and an explicit functions directory
 * @returns the resolved project
 * @throws {Error} when a configuration file is not valid JSON or `functionsDir` is not a string
 *
 * @example
 * ```ts ignore
 * import { loadProject } from "./project.ts";
 *
 * const project = await loadProject({ root: "/srv/app" });
 * console.log(project.functionsDir); // "/srv/app/functions"
 * ```
 */
export async function loadProject(options: ProjectOptions = {}): Promise<Project> {
  const root = resolve(options.root ?? Deno.cwd());
  let functionsDir: string;
  let configuredBy: Project["configuredBy"];
  if (options.dir !== undefined) {
    functionsDir = resolve(options.dir);
    configuredBy = "--dir";
  } else {
    const fromStopgap = await configuredDir(join(root, "stopgap.json"), (json) => json);
    const fromDeno = fromStopgap ?? await configuredDir(join(root, "deno.json"), (json) => json.stopgap);
    functionsDir = resolve(root, fromStopgap ?? fromDeno ?? DEFAULT_FUNCTIONS_DIR);
    configuredBy = fromStopgap ? "stopgap.json" : fromDeno ? "deno.json" : "default";
  }
  return { root, functionsDir, denoConfig: await findDenoConfig(functionsDir), configuredBy };
}

async function configuredDir(
  path: string,
  pick: (json: Record<string, unknown>) => unknown,
): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`Cannot parse "${path}" as JSON`, { cause });
  }
  const section = pick(json) as Record<string, unknown> | undefined;
  const dir = section?.functionsDir;
  if (dir === undefined) return undefined;
  if (typeof dir !== "string" || dir === "") {
    throw new Error(`"functionsDir" in "${path}" must be a non-empty string, got ${JSON.stringify(dir)}`);
  }
  return dir;
}

/**
 * The nearest `deno.json` or `deno.jsonc` in `dir` or a parent, as Deno itself would find it.
 *
 * @param dir an absolute directory
 * @returns the file's absolute path, or `undefined` when there is none up to `/`
 */
export async function findDenoConfig(dir: string): Promise<string | undefined> {
  for (let current = dir;; current = dirname(current)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const candidate = join(current, name);
      if (await exists(candidate)) return candidate;
    }
    if (dirname(current) === current) return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** A module in the functions directory. */
export interface FunctionModule {
  /** Absolute path. */
  path: string;
  /** Relative to the functions directory, `/`-separated: the SQL names are derived from it. */
  relativePath: string;
  /** Relative to the project root (or absolute when outside it), for messages. */
  display: string;
}

/**
 * The function modules under `project.functionsDir`, sorted by path: every `.ts` and `.mts` file,
 * except declaration files (`.d.ts`), tests (`*_test.ts`, `*.test.ts`) and anything whose name or
 * directory starts with `_` or `.` (private helpers, which function modules import and which are
 * bundled into them).
 *
 * @param project the project
 * @returns the modules; empty when there are none
 * @throws {Deno.errors.NotFound} when the functions directory does not exist
 */
export async function findModules(project: Project): Promise<FunctionModule[]> {
  const found: FunctionModule[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      if (entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        await walk(path, `${prefix}${entry.name}/`);
      } else if (entry.isFile && isFunctionModule(entry.name)) {
        found.push({ path, relativePath: `${prefix}${entry.name}`, display: displayPath(project, path) });
      }
    }
  }
  await walk(project.functionsDir, "");
  return found;
}

/**
 * Whether a file named `name` in the functions directory is a function module by its name: `.ts` or
 * `.mts`, not a declaration file and not a test. (Names starting with `_` or `.` are left out by
 * {@linkcode findModules} before this is asked.)
 *
 * @param name the file's name, without its directory
 * @returns e.g. `true` for `todos.ts`, `false` for `todos_test.ts`, `types.d.ts` and `todos.ts~`
 */
export function isFunctionModule(name: string): boolean {
  if (!/\.m?ts$/.test(name) || name.endsWith(".d.ts")) return false;
  return !/[_.]test\.m?ts$/.test(name);
}

/**
 * `path` relative to the project root with `/` separators, or absolute when it is outside the root.
 *
 * @param project the project
 * @param path an absolute path
 * @returns e.g. `functions/todos.ts`
 */
export function displayPath(project: Pick<Project, "root">, path: string): string {
  const rel = relative(project.root, path);
  if (rel.startsWith("..") || isAbsolute(rel)) return path;
  return rel.split(sep).join("/");
}
