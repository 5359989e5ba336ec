/**
 * The local files a project's functions are built from: the function modules and every file they
 * import, as `deno info` resolves the imports (with the project's `deno.json`). `stopgap dev`
 * watches these.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { configArgs, runDeno } from "./_deno.ts";
import { functionModules } from "./compile.ts";
import type { Project } from "./project.ts";

/** The part of `deno info --json` read here. */
interface DenoInfo {
  modules: { specifier: string }[];
}

/**
 * The function modules of `project` and the local files they import, statically, dynamically or
 * for types only, including imports that do not resolve to an existing file yet (so that creating
 * one is seen). Files anywhere on disk are listed; whether they belong to the project is the
 * caller's choice. npm, JSR and remote modules are not files of the project and are left out.
 *
 * A module that does not parse is still listed (with what it imported before, as far as Deno
 * read it): `deno info` reports the error per module and still exits 0.
 *
 * @param project the project
 * @returns absolute paths
 * @throws {CompileError} `no_functions_dir` when the functions directory does not exist
 * @throws {Error} when `deno info` fails
 *
 * @example Listing the files a redeploy depends on
 * ```ts ignore
 * import { loadProject, sourceFiles } from "./mod.ts";
 *
 * const files = await sourceFiles(await loadProject({ root: "/srv/app" }));
 * console.log([...files]); // ["/srv/app/functions/todos.ts", "/srv/app/functions/_lib/db.ts", ...]
 * ```
 */
export async function sourceFiles(project: Project): Promise<Set<string>> {
  const modules = await functionModules(project);
  const files = new Set(modules.map((m) => m.path));
  if (modules.length === 0) return files;
  // `deno info` takes one root: an entry that imports every function module.
  const dir = await Deno.makeTempDir({ prefix: "stopgap-graph-" });
  try {
    const entry = join(dir, "entry.ts");
    const imports = modules.map((m) => `import ${JSON.stringify(pathToFileURL(m.path).href)};\n`);
    await Deno.writeTextFile(entry, imports.join(""));
    const run = await runDeno(["info", "--json", ...configArgs(project.denoConfig), entry], project.root);
    if (run.code !== 0) throw new Error(`deno info failed: ${run.stderr.trim()}`);
    const info = JSON.parse(run.stdout) as DenoInfo;
    for (const { specifier } of info.modules) {
      if (specifier.startsWith("file:")) files.add(fileURLToPath(specifier));
    }
    files.delete(entry);
    return files;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
