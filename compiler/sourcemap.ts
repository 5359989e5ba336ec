/**
 * Source maps (version 3) of the deployed bodies: decoding and encoding their `mappings`,
 * composing two maps, shifting columns for text inserted into a generated file, and the inline
 * comment that ends every body.
 *
 * A body maps positions of its own text (the metadata line, then the bundle) back to the project's
 * files and the npm packages it bundles; `plts` composes its own transpile map with it, so an
 * error's stack names `functions/x.ts:12:9` instead of a line of the bundle.
 *
 * @module
 */

import { relative } from "node:path";

/** A version 3 source map, as the compiler writes it (no `sourcesContent`, no `sourceRoot`). */
export interface SourceMap {
  /** Always 3. */
  version: 3;
  /** The original files; see {@linkcode portableSource} for their form in a body. */
  sources: string[];
  /** Identifiers referred to by segments. */
  names: string[];
  /** The segments, Base64 VLQ encoded. */
  mappings: string;
}

/**
 * One segment of a decoded map, all numbers 0-based: the generated column, then, when it maps
 * to a source, the source index, the original line and column, and optionally the name index.
 */
export type Segment = [number] | [number, number, number, number] | [number, number, number, number, number];

/** Decoded mappings: the segments of each generated line, sorted by generated column. */
export type Mappings = Segment[][];

/** The comment that ends every deployed body: before it, the body; after `base64,`, its map. */
export const SOURCE_MAP_COMMENT_PREFIX = "\n//# sourceMappingURL=data:application/json;base64,";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Map([...BASE64].map((c, i) => [c, i]));

/**
 * Decodes a map's `mappings`.
 *
 * @throws {Error} on a character outside Base64 or a segment of 2, 3 or more than 5 fields
 *
 * @example
 * ```ts
 * import { decodeMappings } from "./sourcemap.ts";
 *
 * console.log(decodeMappings(";AAAA,IAAI")); // [[], [[0, 0, 0, 0], [4, 0, 0, 4]]]
 * ```
 */
export function decodeMappings(mappings: string): Mappings {
  const lines: Mappings = [];
  // The fields after the generated column are relative to the previous segment of the whole map.
  let source = 0, line = 0, column = 0, name = 0;
  for (const text of mappings.split(";")) {
    const segments: Segment[] = [];
    let generated = 0;
    for (const part of text.split(",")) {
      if (part === "") continue;
      const fields = decodeVlqs(part);
      generated += fields[0];
      if (fields.length === 1) {
        segments.push([generated]);
      } else if (fields.length === 4 || fields.length === 5) {
        source += fields[1];
        line += fields[2];
        column += fields[3];
        if (fields.length === 4) segments.push([generated, source, line, column]);
        else segments.push([generated, source, line, column, name += fields[4]]);
      } else {
        throw new Error(`A source map segment has ${fields.length} fields: "${part}"`);
      }
    }
    segments.sort((a, b) => a[0] - b[0]);
    lines.push(segments);
  }
  return lines;
}

/**
 * Encodes decoded mappings (the inverse of {@linkcode decodeMappings}).
 *
 * @example
 * ```ts
 * import { encodeMappings } from "./sourcemap.ts";
 *
 * console.log(encodeMappings([[], [[0, 0, 0, 0], [4, 0, 0, 4]]])); // ";AAAA,IAAI"
 * ```
 */
export function encodeMappings(lines: Mappings): string {
  let source = 0, line = 0, column = 0, name = 0;
  return lines.map((segments) => {
    let generated = 0;
    return segments.map((segment) => {
      let text = encodeVlq(segment[0] - generated);
      generated = segment[0];
      if (segment.length > 1) {
        text += encodeVlq(segment[1]! - source) + encodeVlq(segment[2]! - line) + encodeVlq(segment[3]! - column);
        [source, line, column] = [segment[1]!, segment[2]!, segment[3]!];
        if (segment.length === 5) {
          text += encodeVlq(segment[4] - name);
          name = segment[4];
        }
      }
      return text;
    }).join(",");
  }).join(";");
}

function decodeVlqs(text: string): number[] {
  const values: number[] = [];
  let value = 0, shift = 0;
  for (const c of text) {
    const digit = BASE64_VALUE.get(c);
    if (digit === undefined) throw new Error(`A source map's mappings hold "${c}", which is not Base64`);
    value += (digit & 31) * 2 ** shift;
    shift += 5;
    if (digit & 32) continue;
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = shift = 0;
  }
  if (shift !== 0) throw new Error(`A source map segment ends inside a number: "${text}"`);
  return values;
}

function encodeVlq(n: number): string {
  let value = n < 0 ? -n * 2 + 1 : n * 2;
  let text = "";
  do {
    const digit = value % 32;
    value = Math.floor(value / 32);
    text += BASE64[value > 0 ? digit | 32 : digit];
  } while (value > 0);
  return text;
}

/**
 * The original position of a generated one (0-based line and column): the last segment of that
 * line at or before the column, or `null` when it maps to no source.
 *
 * @example
 * ```ts
 * import { decodeMappings, originalPosition } from "./sourcemap.ts";
 *
 * const map = { version: 3 as const, sources: ["a.ts"], names: [], mappings: ";AAAA,IAAI" };
 * console.log(originalPosition(map, 1, 6)); // { source: "a.ts", line: 0, column: 4, name: null }
 * ```
 */
export function originalPosition(
  map: SourceMap,
  line: number,
  column: number,
  decoded: Mappings = decodeMappings(map.mappings),
): { source: string; line: number; column: number; name: string | null } | null {
  const segment = segmentAt(decoded, line, column);
  if (segment === undefined || segment.length === 1) return null;
  return {
    source: map.sources[segment[1]],
    line: segment[2],
    column: segment[3],
    name: segment.length === 5 ? map.names[segment[4]] : null,
  };
}

function segmentAt(decoded: Mappings, line: number, column: number): Segment | undefined {
  const segments = decoded[line] ?? [];
  let low = 0, high = segments.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (segments[mid][0] <= column) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? undefined : segments[low - 1];
}

/**
 * Composes two maps: `outer` maps a file to an intermediate one (its only source, or the one it
 * maps to), `inner` maps that intermediate file to the originals. The result maps `outer`'s
 * generated file to `inner`'s sources; a segment whose intermediate position `inner` does not map
 * becomes unmapped. Names come from `inner`, else from `outer`.
 *
 * @example
 * ```ts
 * import { compose, originalPosition } from "./sourcemap.ts";
 *
 * const inner = { version: 3 as const, sources: ["a.ts"], names: [], mappings: "AAAA;AACA" };
 * const outer = { version: 3 as const, sources: ["a.js"], names: [], mappings: ";;AACA" };
 * console.log(originalPosition(compose(outer, inner), 2, 0)?.line); // 1
 * ```
 */
export function compose(outer: SourceMap, inner: SourceMap): SourceMap {
  const innerDecoded = decodeMappings(inner.mappings);
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const nameOf = (name: string) => {
    let index = nameIndex.get(name);
    if (index === undefined) nameIndex.set(name, index = names.push(name) - 1);
    return index;
  };
  const lines = decodeMappings(outer.mappings).map((segments) =>
    segments.map((segment): Segment => {
      if (segment.length === 1) return segment;
      const original = segmentAt(innerDecoded, segment[2], segment[3]);
      if (original === undefined || original.length === 1) return [segment[0]];
      const name = original.length === 5
        ? inner.names[original[4]]
        : segment.length === 5
        ? outer.names[segment[4]]
        : undefined;
      return name === undefined
        ? [segment[0], original[1], original[2], original[3]]
        : [segment[0], original[1], original[2], original[3], nameOf(name)];
    })
  );
  return compact({ version: 3, sources: inner.sources, names, mappings: "" }, lines);
}

/**
 * `map` with its sources and names cut to those its segments use (in order of first use), and
 * consecutive segments that say the same merged, so equal inputs give equal bytes whatever the
 * unused entries were.
 */
export function compact(map: SourceMap, lines: Mappings = decodeMappings(map.mappings)): SourceMap {
  const sources: string[] = [];
  const sourceIndex = new Map<number, number>();
  const names: string[] = [];
  const nameIndex = new Map<number, number>();
  const reindex = (table: Map<number, number>, values: string[], from: string[], i: number) => {
    let index = table.get(i);
    if (index === undefined) table.set(i, index = values.push(from[i]) - 1);
    return index;
  };
  const out = lines.map((segments) => {
    const kept: Segment[] = [];
    for (const segment of segments) {
      let next: Segment;
      if (segment.length === 1) {
        next = [segment[0]];
      } else {
        const source = reindex(sourceIndex, sources, map.sources, segment[1]);
        next = segment.length === 5
          ? [segment[0], source, segment[2], segment[3], reindex(nameIndex, names, map.names, segment[4])]
          : [segment[0], source, segment[2], segment[3]];
      }
      const previous = kept.at(-1);
      if (previous && sameTarget(previous, next)) continue;
      if (previous && previous[0] === next[0]) kept.pop();
      if (kept.length === 0 && next.length === 1) continue;
      kept.push(next);
    }
    return kept;
  });
  while (out.length > 0 && out.at(-1)!.length === 0) out.pop();
  return { version: 3, sources, names, mappings: encodeMappings(out) };
}

function sameTarget(a: Segment, b: Segment): boolean {
  return a.length === b.length && a.slice(1).every((value, i) => value === b[i + 1]);
}

/** Text of one line of a generated file replaced: `removed` characters at `column` became `inserted` ones. */
export interface LineEdit {
  /** 0-based line. */
  line: number;
  /** 0-based column, in the line before the edit. */
  column: number;
  /** How many characters the edit removed. */
  removed: number;
  /** How many it put in their place. */
  inserted: number;
}

/**
 * The insertions of `text` that turned `before` into `after` (which is `before` with copies of
 * `text` inserted inside lines), as {@linkcode LineEdit}s.
 *
 * @throws {Error} when `after` is not `before` with copies of `text` inserted
 *
 * @example
 * ```ts
 * import { insertions } from "./sourcemap.ts";
 *
 * console.log(insertions("a = f();\nb", "a = /* @__PURE__ *\/ f();\nb", "/* @__PURE__ *\/ "));
 * // [{ line: 0, column: 4, removed: 0, inserted: 16 }]
 * ```
 */
export function insertions(before: string, after: string, text: string): LineEdit[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length !== b.length) throw new Error("An edit of a bundle changed its number of lines");
  const edits: LineEdit[] = [];
  a.forEach((line, i) => {
    const edited = b[i];
    if (line === edited) return;
    // The first difference is an insertion: `text` ("/* @__PURE__ */ " before a call) begins
    // with a character a call cannot begin with.
    let x = 0, y = 0;
    while (x < line.length || y < edited.length) {
      if (x < line.length && line[x] === edited[y]) {
        x++;
        y++;
      } else if (edited.startsWith(text, y)) {
        edits.push({ line: i, column: x, removed: 0, inserted: text.length });
        y += text.length;
      } else {
        throw new Error(`An edit of a bundle changed line ${i + 1} other than by inserting "${text}"`);
      }
    }
  });
  return edits;
}

/**
 * `map`, of a generated file, as a map of the file after `edits`: a segment after an edit on its
 * line moves by the edit's change of length; one inside a removed range moves to its start.
 *
 * @example
 * ```ts
 * import { editColumns } from "./sourcemap.ts";
 *
 * const map = { version: 3 as const, sources: ["a.ts"], names: [], mappings: "AAAA,IAAI" };
 * console.log(editColumns(map, [{ line: 0, column: 2, removed: 0, inserted: 3 }]).mappings); // "AAAA,OAAI"
 * ```
 */
export function editColumns(map: SourceMap, edits: LineEdit[]): SourceMap {
  const byLine = Map.groupBy(edits, (edit) => edit.line);
  const lines = decodeMappings(map.mappings).map((segments, i) => {
    const onLine = byLine.get(i);
    if (onLine === undefined) return segments;
    return segments.map((segment): Segment => {
      let column = segment[0];
      for (const edit of onLine) {
        if (edit.column + edit.removed <= segment[0]) column += edit.inserted - edit.removed;
        else if (edit.column < segment[0]) column -= segment[0] - edit.column;
      }
      return [column, ...segment.slice(1)] as Segment;
    });
  });
  return { ...map, mappings: encodeMappings(lines) };
}

/**
 * `map` for the same file with `count` lines put before its first line (a negative `count`
 * removes that many first lines and what maps them).
 */
export function offsetLines(map: SourceMap, count: number): SourceMap {
  const lines = decodeMappings(map.mappings);
  const moved = count >= 0 ? [...Array.from({ length: count }, () => []), ...lines] : lines.slice(-count);
  return { ...map, mappings: encodeMappings(moved) };
}

/**
 * The inline comment for `map`: {@linkcode SOURCE_MAP_COMMENT_PREFIX}, then the map's JSON in
 * Base64.
 */
export function sourceMapComment(map: SourceMap): string {
  const json = JSON.stringify({ version: 3, sources: map.sources, names: map.names, mappings: map.mappings });
  return `${SOURCE_MAP_COMMENT_PREFIX}${base64(new TextEncoder().encode(json))}`;
}

/**
 * Splits a deployed body into the code and its source map: the inverse of appending
 * {@linkcode sourceMapComment}. A body without the comment has no map.
 *
 * @example
 * ```ts
 * import { sourceMapComment, splitSourceMap } from "./sourcemap.ts";
 *
 * const map = { version: 3 as const, sources: ["functions/a.ts"], names: [], mappings: ";AAAA" };
 * const { code, map: read } = splitSourceMap(`// @stopgap {}\nexport default 1;${sourceMapComment(map)}`);
 * console.log(code, read?.sources); // "// @stopgap {}\nexport default 1;" ["functions/a.ts"]
 * ```
 */
export function splitSourceMap(body: string): { code: string; map: SourceMap | null } {
  const at = body.lastIndexOf(SOURCE_MAP_COMMENT_PREFIX);
  if (at === -1 || body.indexOf("\n", at + 1) !== -1) return { code: body, map: null };
  const encoded = body.slice(at + SOURCE_MAP_COMMENT_PREFIX.length);
  const json = new TextDecoder().decode(Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)));
  return { code: body.slice(0, at), map: JSON.parse(json) };
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The name of an original file in a body's map, the same on every machine: a project file is its
 * path relative to the project root (`functions/items.ts`); a file of an npm package is
 * `npm:<name>@<version>/<path in the package>` (from Deno's npm cache,
 * `.../registry.npmjs.org/<name>/<version>/<path>`, or a `node_modules` directory); a file of a
 * JSR package `jsr:@scope/name@version/path`; any other URL stays as it is. Another file outside
 * the project is its path relative to the root (`../shared/money.ts`).
 *
 * @param source an absolute path or a URL
 * @param root the project root, an absolute path
 * @param readVersion the `version` of a `package.json`, for a `node_modules` directory without the version in its path
 *
 * @example
 * ```ts
 * import { portableSource } from "./sourcemap.ts";
 *
 * const npm = "/home/ada/.cache/deno/npm/registry.npmjs.org/@scope/pkg/1.2.3/dist/index.js";
 * console.log(portableSource(npm, "/srv/app")); // "npm:@scope/pkg@1.2.3/dist/index.js"
 * console.log(portableSource("/srv/app/functions/items.ts", "/srv/app")); // "functions/items.ts"
 * ```
 */
export function portableSource(
  source: string,
  root: string,
  readVersion: (packageJson: string) => string | undefined = () => undefined,
): string {
  let path = source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source)) {
    if (!source.startsWith("file:")) return jsrSource(source) ?? source;
    path = decodeURIComponent(new URL(source).pathname);
  }
  const segments = path.split("/");
  const registry = segments.lastIndexOf("registry.npmjs.org");
  if (registry !== -1) {
    const scoped = segments[registry + 1]?.startsWith("@") ? 1 : 0;
    const name = segments.slice(registry + 1, registry + 2 + scoped).join("/");
    const version = segments[registry + 2 + scoped];
    const rest = segments.slice(registry + 3 + scoped).join("/");
    if (name && version && rest) return `npm:${name}@${version}/${rest}`;
  }
  const modules = segments.lastIndexOf("node_modules");
  if (modules !== -1 && modules + 2 < segments.length) {
    const scoped = segments[modules + 1].startsWith("@") ? 1 : 0;
    const name = segments.slice(modules + 1, modules + 2 + scoped).join("/");
    const rest = segments.slice(modules + 2 + scoped).join("/");
    // node_modules/.deno/<name with + for />@<version>[_peer...]/node_modules/<name>/...
    const store = segments[modules - 1] === undefined ? undefined : segments[modules - 1];
    const deno = segments[modules - 2] === ".deno" && store ? /^(.+?)@(\d[^_]*)/.exec(store) : null;
    const version = deno?.[1].replace("+", "/") === name
      ? deno[2]
      : readVersion(`${segments.slice(0, modules + 2 + scoped).join("/")}/package.json`);
    if (version && rest) return `npm:${name}@${version}/${rest}`;
  }
  return relative(root, path);
}

function jsrSource(url: string): string | null {
  const match = /^https:\/\/jsr\.io\/(@[^/]+\/[^/]+)\/([^/]+)\/(.+)$/.exec(url);
  return match ? `jsr:${match[1]}@${match[2]}/${match[3]}` : null;
}

/**
 * `map` with each source renamed by `rename`; segments of a source it renames to `null` map to
 * nothing. The result is {@linkcode compact}ed.
 */
export function renameSources(map: SourceMap, rename: (source: string) => string | null): SourceMap {
  const names = map.sources.map(rename);
  const lines = decodeMappings(map.mappings).map((segments) =>
    segments.map((segment): Segment => segment.length > 1 && names[segment[1]!] === null ? [segment[0]] : segment)
  );
  return compact({ ...map, sources: names.map((name) => name ?? "") }, lines);
}

/** `map` without the segments of the given lines (0-based), e.g. lines an edit emptied. */
export function dropLines(map: SourceMap, lines: Iterable<number>): SourceMap {
  const decoded = decodeMappings(map.mappings);
  for (const line of lines) if (line < decoded.length) decoded[line] = [];
  return { ...map, mappings: encodeMappings(decoded) };
}
