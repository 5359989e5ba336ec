/**
 * The client-side compiler: finds the function modules of a project, type-checks them with
 * `deno check`, and bundles each `query`/`mutation` export into one ES module with `deno bundle`,
 * named by a documented rule, ready for `stopgap deploy` to write into the database.
 *
 * @example Compiling a project
 * ```ts ignore
 * import { compile } from "./mod.ts";
 *
 * const { functions } = await compile({ root: "/srv/app" });
 * console.log(functions.map((fn) => `${fn.name} (${fn.kind})`));
 * ```
 *
 * @module
 */

export {
  BUILTIN_MODULES,
  compile,
  type CompiledFunction,
  CompileError,
  type CompileOptions,
  type CompilePhase,
  type CompileResult,
  type CompileWarning,
  functionModules,
} from "./compile.ts";
export { sourceFiles } from "./graph.ts";
export { UNAVAILABLE_GLOBALS } from "./globals.ts";
export {
  decodeMappings,
  type Mappings,
  originalPosition,
  type Segment,
  SOURCE_MAP_COMMENT_PREFIX,
  type SourceMap,
  sourceMapComment,
  splitSourceMap,
} from "./sourcemap.ts";
export { type Diagnostic, formatDiagnostic, parseDenoDiagnostics } from "./diagnostics.ts";
export { type FunctionMetadata, METADATA_PREFIX, metadataLine, readMetadata } from "./metadata.ts";
export { assignNames, type FunctionSource, MAX_NAME_BYTES, type NameCollision, snakeCase, sqlName } from "./naming.ts";
export {
  DEFAULT_FUNCTIONS_DIR,
  displayPath,
  findModules,
  type FunctionModule,
  isFunctionModule,
  loadProject,
  type Project,
  type ProjectOptions,
} from "./project.ts";
