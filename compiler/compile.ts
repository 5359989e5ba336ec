/**
 * `compile`: find the function modules of a project, type-check them with `deno check`, find their
 * `query`/`mutation` exports, name them, and bundle each into one ES module with `deno bundle` that
 * holds only the code the export uses (the modules built into plts, {@linkcode BUILTIN_MODULES},
 * stay imports).
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import builtins from "../runtime/builtins/modules.json" with { type: "json" };
import { configArgs, runDeno } from "./_deno.ts";
import { portableBundle, portableLocation } from "./_portable.ts";
import { shake, type ShakenBundle } from "./_shake.ts";
import { type Diagnostic, formatDiagnostic, parseDenoDiagnostics } from "./diagnostics.ts";
import { missingGlobal, UNAVAILABLE_GLOBALS, withoutGlobalsModule } from "./globals.ts";
import { metadataLine } from "./metadata.ts";
import { assignNames, type FunctionSource, type NameCollision } from "./naming.ts";
import { offsetLines, sourceMapComment } from "./sourcemap.ts";
import {
  displayPath,
  findModules,
  type FunctionModule,
  loadProject,
  type Project,
  type ProjectOptions,
} from "./project.ts";

/**
 * Imports left in the bundles: plts provides them as built-in modules. The list is
 * `runtime/builtins/modules.json`, from which the plts build bundles them.
 */
export const BUILTIN_MODULES: readonly string[] = builtins.map((b) => b.specifier);

/** The built-in modules in prose: `@stopgap/runtime and valibot`. */
const BUILTIN_PROSE = new Intl.ListFormat("en").format(BUILTIN_MODULES);

/** One deployable function. */
export interface CompiledFunction extends FunctionSource {
  /** The SQL name (see `naming.ts`). */
  name: string;
  /** `query` or `mutation`. */
  kind: "query" | "mutation";
  /**
   * The function body: the metadata line, then the bundled ES module whose default export is the
   * handler, then its source map as the last line,
   * `//# sourceMappingURL=data:application/json;base64,<map>` (see `sourcemap.ts`). The map's
   * generated positions are those of the body without that last line and the line break before
   * it (line 1 is the metadata line); its sources are paths relative to the project root and
   * `npm:<name>@<version>/<path>`.
   */
  code: string;
  /** JSON Schema of the arguments. */
  argsJsonSchema: Record<string, unknown> | null;
  /** JSON Schema of the result, when the function declares `returns`. */
  returnsJsonSchema: Record<string, unknown> | null;
}

/** What {@linkcode compile} produced. */
export interface CompileResult {
  /** The project compiled: its root, functions directory and `deno.json`. */
  project: Project;
  /** Sorted by name. */
  functions: CompiledFunction[];
  /** Function modules without any `query`/`mutation` export, relative to the root. */
  skippedModules: string[];
  /** What may fail in the database: each function's uses of globals plts does not have. */
  warnings: CompileWarning[];
}

/**
 * A function whose bundle refers to a global plts does not have ({@linkcode UNAVAILABLE_GLOBALS}):
 * a call that reaches that code fails. Once per function and global (its first use), sorted by
 * function.
 */
export interface CompileWarning {
  /** The SQL name of the function. */
  function: string;
  /** The global, e.g. `setTimeout`. */
  global: string;
  /** Where its first use is, `file:line:column` (1-based; the file named as in the source map), when known. */
  location: string | null;
  /** One line for people: the function, the global, where, and why plts lacks it. */
  message: string;
}

/** The phases of a compile, for progress output. */
export type CompilePhase = "find" | "check" | "inspect" | "bundle";

/** Options of {@linkcode compile}. */
export interface CompileOptions extends ProjectOptions {
  /** Called when a phase starts. */
  onPhase?: (phase: CompilePhase, detail: string) => void;
  /** Skip `deno check` (bundling still fails on syntax errors). */
  noCheck?: boolean;
}

/**
 * Why a compile failed: a stable `code`, and the diagnostics or collisions behind it.
 *
 * @example Reporting the diagnostics of a failed compile
 * ```ts ignore
 * import { compile, CompileError, formatDiagnostic } from "./mod.ts";
 *
 * try {
 *   await compile({ root: "/srv/app" });
 * } catch (error) {
 *   if (!(error instanceof CompileError)) throw error;
 *   console.error(`${error.code}: ${error.hint ?? ""}`);
 *   for (const d of error.diagnostics) console.error(formatDiagnostic(d));
 * }
 * ```
 */
export class CompileError extends Error {
  /** Always `CompileError`. */
  override name = "CompileError";
  /** `no_functions_dir`, `no_functions`, `type_error`, `inspect_failed`, `invalid_name`, `name_collision` or `bundle_failed`. */
  readonly code: string;
  /** Positions and messages (type errors, syntax errors). */
  readonly diagnostics: Diagnostic[];
  /** For `name_collision`. */
  readonly collisions: NameCollision[];
  /** What to do about it. */
  readonly hint: string | undefined;

  /**
   * Creates the error.
   *
   * @param code the stable code, one of those listed for {@linkcode CompileError.code}
   * @param message what failed, with the diagnostics
   * @param options the diagnostics or collisions behind it, a hint, and the underlying error
   */
  constructor(
    code: string,
    message: string,
    options: { diagnostics?: Diagnostic[]; collisions?: NameCollision[]; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.diagnostics = options.diagnostics ?? [];
    this.collisions = options.collisions ?? [];
    this.hint = options.hint;
  }
}

/**
 * Compiles a project's functions directory into deployable function bodies.
 *
 * @param options the project root (default: the current directory) or an explicit functions directory
 * @returns the functions, sorted by SQL name
 * @throws {CompileError} with file:line:column diagnostics for type errors, and for name collisions
 *
 * @example Compiling a project
 * ```ts ignore
 * import { compile } from "./compile.ts";
 *
 * const { functions } = await compile({ root: "/srv/app" });
 * for (const fn of functions) console.log(fn.name, fn.kind, fn.code.length);
 * ```
 */
export async function compile(options: CompileOptions = {}): Promise<CompileResult> {
  const project = await loadProject(options);
  const phase = options.onPhase ?? (() => {});
  const functionsDir = displayPath(project, project.functionsDir);

  phase("find", functionsDir);
  const modules = await functionModules(project);
  if (modules.length === 0) {
    throw new CompileError("no_functions", `No function modules (*.ts) in "${functionsDir}"`, {
      hint: `Write a module that exports query(...) or mutation(...) there, or run "stopgap init"`,
    });
  }

  // Its real path: esbuild names the files it bundles by theirs.
  const build = await Deno.realPath(await Deno.makeTempDir({ prefix: "stopgap-build-" }));
  // The type check (a deno process of its own) runs beside inspect and bundle, which do not wait for
  // it; its errors still come first: a module that does not type-check is reported as that, whatever
  // the later steps made of it.
  let checked: Promise<void> = Promise.resolve();
  if (!options.noCheck) {
    phase("check", `${modules.length} module${modules.length === 1 ? "" : "s"}`);
    checked = check(project, modules);
    checked.catch(() => {}); // observed below; a rejection before then is not unhandled
  }
  try {
    const result = await compileChecked(project, modules, functionsDir, build, phase);
    await checked;
    return result;
  } catch (error) {
    // A failure of inspect or bundle gives way to the check's type errors; anything else (an
    // `onPhase` that ends the compile) is what it is.
    if (error instanceof CompileError) await checked;
    else await checked.catch(() => {});
    throw error;
  } finally {
    await Deno.remove(build, { recursive: true });
  }
}

/** Inspect and bundle: the steps of {@linkcode compile} after the type check it runs beside them. */
async function compileChecked(
  project: Project,
  modules: FunctionModule[],
  functionsDir: string,
  build: string,
  phase: (phase: CompilePhase, detail: string) => void,
): Promise<CompileResult> {
  phase("inspect", `${modules.length} module${modules.length === 1 ? "" : "s"}`);
  const exported = await inspect(project, modules, build);
  const sources: (FunctionSource & ExportInfo)[] = [];
  const skippedModules: string[] = [];
  modules.forEach((module, i) => {
    if (exported[i].length === 0) skippedModules.push(module.display);
    for (const info of exported[i]) {
      sources.push({ ...info, file: module.display, relativePath: module.relativePath, exportName: info.exportName });
    }
  });
  if (sources.length === 0) {
    throw new CompileError("no_functions", `No module in "${functionsDir}" exports a query(...) or mutation(...)`, {
      hint: `Export one, e.g. export default query(v.object({}), () => "hello")`,
    });
  }
  let named: ReturnType<typeof assignNames<FunctionSource & ExportInfo>>;
  try {
    named = assignNames(sources);
  } catch (cause) {
    throw new CompileError("invalid_name", (cause as Error).message, { cause });
  }
  if (named.collisions.length > 0) {
    const lines = named.collisions.map((c) => `"${c.name}" is the name of both ${c.sources[0]} and ${c.sources[1]}`);
    throw new CompileError("name_collision", `Two functions would get the same SQL name: ${lines.join("; ")}`, {
      collisions: named.collisions,
      hint: "Rename one of the files or exports (the naming rule is in docs/CLI.md)",
    });
  }
  phase("bundle", `${named.named.length} function${named.named.length === 1 ? "" : "s"}`);
  const bundles = await bundle(project, modules, named.named, build);
  const functions = named.named.map((fn): CompiledFunction => {
    const header = metadataLine({
      format: 1,
      name: fn.name,
      kind: fn.kind,
      source: `${fn.file}#${fn.exportName}`,
      args: fn.argsJsonSchema,
      returns: fn.returnsJsonSchema,
    });
    return {
      name: fn.name,
      kind: fn.kind,
      file: fn.file,
      relativePath: fn.relativePath,
      exportName: fn.exportName,
      code: body(header, bundles.get(fn.name)!, project.root, build),
      argsJsonSchema: fn.argsJsonSchema,
      returnsJsonSchema: fn.returnsJsonSchema,
    };
  });
  functions.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const warnings = functions.flatMap((fn) => globalWarnings(fn, bundles.get(fn.name)!, project.root));
  return { project, functions, skippedModules, warnings };
}

/**
 * The function modules of `project` ({@linkcode findModules}).
 *
 * @param project the project
 * @returns the modules, sorted by path; empty when there are none
 * @throws {CompileError} `no_functions_dir` when the functions directory does not exist
 */
export async function functionModules(project: Project): Promise<FunctionModule[]> {
  try {
    return await findModules(project);
  } catch (cause) {
    if (!(cause instanceof Deno.errors.NotFound)) throw cause;
    const functionsDir = displayPath(project, project.functionsDir);
    throw new CompileError("no_functions_dir", `The functions directory "${functionsDir}" does not exist`, {
      cause,
      hint: `Create it with "stopgap init", pass --dir <directory>, or set "functionsDir" in stopgap.json`,
    });
  }
}

/**
 * A function's body: the metadata line, the bundle with machine-independent paths, and its
 * source map (one line down: the metadata line is line 1) as the last line.
 */
function body(header: string, bundle: ShakenBundle, root: string, build: string): string {
  const { code, map } = portableBundle(bundle.code, bundle.map, root, build);
  return `${header}\n${code.replace(/\n+$/, "")}${sourceMapComment(offsetLines(map, 1))}`;
}

/** The warnings of one function: its first use of each missing global. */
function globalWarnings(fn: CompiledFunction, bundle: ShakenBundle, root: string): CompileWarning[] {
  const seen = new Set<string>();
  const warnings: CompileWarning[] = [];
  for (const use of bundle.globals) {
    if (seen.has(use.name)) continue;
    seen.add(use.name);
    const location = portableLocation(bundle.map, use.line, use.column, root);
    const where = location === null ? "" : ` at ${location}`;
    warnings.push({
      function: fn.name,
      global: use.name,
      location,
      message: `function ${fn.name} (${fn.file}#${fn.exportName}) uses ${use.name}${where}, which plts does not ` +
        `have: ${UNAVAILABLE_GLOBALS.get(use.name)}`,
    });
  }
  return warnings;
}

async function check(project: Project, modules: FunctionModule[]): Promise<void> {
  const run = await runDeno(["check", ...configArgs(project.denoConfig), ...modules.map((m) => m.path)], project.root);
  if (run.code === 0) return;
  const diagnostics = parseDenoDiagnostics(run.stderr, (path) => displayPath(project, path));
  throw new CompileError(
    "type_error",
    `Type check failed:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`,
    { diagnostics, hint: "Fix the errors above and deploy again (deno check shows the same errors)" },
  );
}

/** A `query`/`mutation` export found by importing a module. */
interface ExportInfo {
  exportName: string;
  kind: "query" | "mutation";
  argsJsonSchema: Record<string, unknown> | null;
  returnsJsonSchema: Record<string, unknown> | null;
}

const INSPECT_MARKER = "@@stopgap-inspect@@";

/**
 * Imports every module in a `deno run` without any permission (as sandboxed as the database) and
 * reports, per module, its exports that are wrapped handlers (`kind` is `query` or `mutation`).
 */
async function inspect(project: Project, modules: FunctionModule[], build: string): Promise<ExportInfo[][]> {
  // The globals plts lacks are gone before the first function module runs (imports run in order).
  await Deno.writeTextFile(join(build, "without_globals.js"), withoutGlobalsModule());
  const imports = modules.map((m, i) => `import * as m${i} from ${JSON.stringify(pathToFileURL(m.path).href)};`);
  const script = `import "./without_globals.js";
${imports.join("\n")}
const toJsonSchema = await import("@valibot/to-json-schema").then((m) => m.toJsonSchema, () => undefined);
function safe(f) { try { return f() ?? null; } catch { return null; } }
function describe(ns) {
  return Object.entries(ns).flatMap(([exportName, value]) =>
    typeof value === "function" && (value.kind === "query" || value.kind === "mutation")
      ? [{
        exportName,
        kind: value.kind,
        argsJsonSchema: safe(() => value.argsJsonSchema),
        returnsJsonSchema: value.returns && toJsonSchema ? safe(() => toJsonSchema(value.returns, { errorMode: "ignore" })) : null,
      }]
      : []
  );
}
console.log(${JSON.stringify(INSPECT_MARKER)} + JSON.stringify([${
    modules.map((_, i) => `describe(m${i})`).join(", ")
  }]));
`;
  const path = join(build, "inspect.js");
  await Deno.writeTextFile(path, script);
  const run = await runDeno(
    ["run", "--no-prompt", "--no-check", ...configArgs(project.denoConfig), path],
    project.root,
  );
  const line = run.stdout.split("\n").find((l) => l.startsWith(INSPECT_MARKER));
  if (run.code !== 0 || !line) {
    const diagnostics = parseDenoDiagnostics(run.stderr, (p) => displayPath(project, p));
    const global = diagnostics.map((d) => missingGlobal(d.message)).find((name) => name !== undefined);
    throw new CompileError(
      "inspect_failed",
      `Importing the function modules failed:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`,
      {
        diagnostics,
        hint: global !== undefined
          ? `plts has no ${global} (${UNAVAILABLE_GLOBALS.get(global)}); the function modules are imported ` +
            `without it, as plts runs them: remove that use (docs/RUNTIME-CONTRACT.md lists the globals plts has)`
          : "Function modules are imported without permissions, and without the globals plts lacks " +
            "(docs/RUNTIME-CONTRACT.md), to find their exports: top-level code must not read files, " +
            "the environment or the network",
      },
    );
  }
  return JSON.parse(line.slice(INSPECT_MARKER.length));
}

/**
 * Bundles one entry per function (`export { <export> as default } from "<module>"`) in one `deno bundle`,
 * then shakes each bundle (`_shake.ts`) so that it holds only the code its export uses: a module's
 * other exports and what only they use are left out.
 */
async function bundle(
  project: Project,
  modules: FunctionModule[],
  functions: (FunctionSource & { name: string })[],
  build: string,
): Promise<Map<string, ShakenBundle>> {
  const entries = join(build, "entries");
  const out = join(build, "out");
  await Deno.mkdir(entries);
  const byRelative = new Map(modules.map((m) => [m.relativePath, m]));
  const paths: string[] = [];
  for (const fn of functions) {
    const module = byRelative.get(fn.relativePath)!;
    const url = JSON.stringify(pathToFileURL(module.path).href);
    const entry = join(entries, `${fn.name}.ts`);
    const line = fn.exportName === "default"
      ? `export { default } from ${url};\n`
      : `export { ${fn.exportName} as default } from ${url};\n`;
    await Deno.writeTextFile(entry, line);
    paths.push(entry);
  }
  const externals = BUILTIN_MODULES.flatMap((name) => ["--external", name]);
  const run = await runDeno(
    [
      "bundle",
      ...configArgs(project.denoConfig),
      "--platform",
      "browser",
      "--format",
      "esm",
      "--sourcemap=linked",
      ...externals,
      "--outdir",
      out,
      ...paths,
    ],
    project.root,
  );
  if (run.code !== 0) {
    const diagnostics = parseDenoDiagnostics(run.stderr, (p) => displayPath(project, p));
    throw new CompileError(
      "bundle_failed",
      `Bundling failed:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`,
      { diagnostics, hint: `Only ${BUILTIN_PROSE} are built into the database; other imports are bundled` },
    );
  }
  try {
    const globals = [...UNAVAILABLE_GLOBALS.keys()];
    return await shake(runDeno, build, out, functions.map((fn) => fn.name), BUILTIN_MODULES, globals);
  } catch (cause) {
    throw new CompileError("bundle_failed", `Bundling failed: ${(cause as Error).message}`, { cause });
  }
}
