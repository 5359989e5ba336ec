/**
 * A bundle made the same on every machine: the paths esbuild writes into it and its source map
 * become paths relative to the project root or package names (`npm:slugify@1.6.6/slugify.js`),
 * never a path of this machine. The body is content-addressed: the same project must give the same
 * bytes wherever it is compiled.
 *
 * @module
 */

import { resolve } from "node:path";
import {
  editColumns,
  type LineEdit,
  originalPosition,
  portableSource,
  renameSources,
  type SourceMap,
} from "./sourcemap.ts";

/**
 * The keys of esbuild's CommonJS and lazy ESM wrappers (`__commonJS({ "<path>"(exports, module) {`):
 * the module's path relative to the directory `deno bundle` ran in.
 */
const WRAPPER_KEY = /(__(?:commonJS|esm)\(\{\n[ \t]*)("(?:[^"\\\n]|\\.)*")/g;

/**
 * `code` and `map` with machine-independent paths: each wrapper key and each source named by
 * {@linkcode portableSource}; sources inside `build` (the compiler's scratch files) map nothing.
 *
 * @param code a shaken bundle
 * @param map its map, each source an absolute path or a URL
 * @param root the project root, where the first `deno bundle` ran
 * @param build the compile's scratch directory
 */
export function portableBundle(
  code: string,
  map: SourceMap,
  root: string,
  build: string,
): { code: string; map: SourceMap } {
  const edits: LineEdit[] = [];
  const lineStarts = [0];
  for (let i = code.indexOf("\n"); i !== -1; i = code.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let low = 0, high = lineStarts.length;
    while (high - low > 1) {
      const mid = (low + high) >> 1;
      if (lineStarts[mid] <= offset) low = mid;
      else high = mid;
    }
    return low;
  };
  const portableCode = code.replace(WRAPPER_KEY, (whole, before: string, literal: string, offset: number) => {
    let key: string;
    try {
      key = JSON.parse(literal);
    } catch {
      return whole;
    }
    const replacement = JSON.stringify(name(resolve(root, key), root));
    const at = offset + before.length;
    const line = lineOf(at);
    edits.push({ line, column: at - lineStarts[line], removed: literal.length, inserted: replacement.length });
    return before + replacement;
  });
  const inBuild = `${build}/`;
  const renamed = renameSources(
    editColumns(map, edits),
    (source) => source.startsWith(inBuild) ? null : name(source, root),
  );
  return { code: portableCode, map: renamed };
}

/**
 * The original position of 0-based `line` and `column` of a shaken bundle, as `file:line:column`
 * (1-based, the file named as in {@linkcode portableBundle}); `null` when nothing maps there.
 */
export function portableLocation(map: SourceMap, line: number, column: number, root: string): string | null {
  const original = originalPosition(map, line, column);
  if (original === null) return null;
  return `${name(original.source, root)}:${original.line + 1}:${original.column + 1}`;
}

function name(source: string, root: string): string {
  // esbuild may name a file by its real path, without the symbolic links of the root's path.
  let real = root;
  try {
    real = Deno.realPathSync(root);
  } catch {
    // a root that is gone: the paths are as given
  }
  const base = real !== root && source.startsWith(`${real}/`) ? real : root;
  return portableSource(source, base, readVersion);
}

/** The `version` of a `package.json`, for a package in a `node_modules` directory. */
function readVersion(packageJson: string): string | undefined {
  try {
    const version = JSON.parse(Deno.readTextFileSync(packageJson)).version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}
