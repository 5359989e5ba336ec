/**
 * The metadata line the compiler puts at the top of every deployed function body, so that a
 * deployment describes itself: `stopgap types` reads it back from the artifacts of the active
 * deployment.
 *
 * @module
 */

/** The first characters of the metadata line. */
export const METADATA_PREFIX = "// @stopgap ";

/** What the metadata line records about a deployed function. */
export interface FunctionMetadata {
  /** Version of this format. */
  format: 1;
  /** The SQL name. */
  name: string;
  /** `query` (deployed STABLE, read-only) or `mutation` (VOLATILE). */
  kind: "query" | "mutation";
  /** `file#export`, the file relative to the project root. */
  source: string;
  /** JSON Schema of the arguments. */
  args: Record<string, unknown> | null;
  /** JSON Schema of the result, when the function declares `returns`. */
  returns: Record<string, unknown> | null;
}

/**
 * The metadata line for `metadata` (one line: JSON escapes every newline).
 *
 * @example
 * ```ts
 * import { metadataLine, readMetadata } from "./metadata.ts";
 *
 * const line = metadataLine({ format: 1, name: "greet", kind: "query", source: "functions/greet.ts#default", args: null, returns: null });
 * console.log(readMetadata(`${line}\nexport default 1;`)?.name); // "greet"
 * ```
 */
export function metadataLine(metadata: FunctionMetadata): string {
  return `${METADATA_PREFIX}${JSON.stringify(metadata)}`;
}

/**
 * The metadata of a function body, or `null` when it has none (a function written by hand and
 * deployed with `--from-schema`) or it cannot be read.
 */
export function readMetadata(source: string): FunctionMetadata | null {
  if (!source.startsWith(METADATA_PREFIX)) return null;
  const end = source.indexOf("\n");
  try {
    const parsed = JSON.parse(source.slice(METADATA_PREFIX.length, end === -1 ? undefined : end));
    return parsed?.format === 1 ? parsed as FunctionMetadata : null;
  } catch {
    return null;
  }
}
