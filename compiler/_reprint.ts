/**
 * Positions in the JavaScript files `deno bundle` re-prints, moved back to the files themselves.
 *
 * `deno bundle` hands esbuild each module that is not an entry point after a transform of its own
 * (`import.meta.main` becomes `false`): it parses the module and prints it again with swc, without
 * a source map. A TypeScript module has been transpiled first, and the inline map of that
 * transpile survives the print, so esbuild chains through it to the `.ts` file. A JavaScript
 * module (`.js`, `.mjs`, `.cjs`: every npm package, and a project's own `.js` files) has no map,
 * so esbuild maps to the re-printed text, which it keeps as the source's `sourcesContent`: blank
 * lines are gone, comments are joined onto the next line, `x => x` reads `(x)=>x`, semicolons the
 * file left to automatic insertion are written, trailing commas are dropped.
 *
 * The print keeps the file's tokens, in order, except for `;`, `,`, `(` and `)`, which it adds or
 * drops, and the code the transform replaced. So the tokens of both texts are aligned
 * ({@linkcode alignTokens}): the others one to one, where both texts have the same token (a
 * difference, such as `import.meta.main` against `false`, is skipped to the nearest point where
 * both go on alike), then those four between each aligned pair. A position of the re-printed text
 * moves to the same character of its token in the file; a token only the print has moves next to
 * its neighbour ({@linkcode repositioner}). When the texts cannot be aligned (no common
 * continuation within {@linkcode MAX_SKIP} tokens of a difference, or not even half of the
 * tokens matched: they are not one file and its print), the file's positions stay those of the
 * re-printed text.
 *
 * @module
 */

import type { SourceMap } from "./sourcemap.ts";

/** The tokens of a JavaScript text, without whitespace and comments. */
export interface Tokens {
  /** Each token's text. */
  texts: string[];
  /** Each token's first offset (UTF-16 code units), ascending. */
  starts: number[];
  /** Each token's end offset (exclusive). */
  ends: number[];
}

const WORD =
  /(?:[\p{ID_Start}$_]|\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]+\})(?:[\p{ID_Continue}$\u200c\u200d]|\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]+\})*/uy;
const NUMBER = /(?:0[xXoObB][0-9a-fA-F_]*|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?[\d_]+)?)n?/y;
const STRING = /'(?:[^'\\\n\r]|\\(?:\r\n|[^]))*'?|"(?:[^"\\\n\r]|\\(?:\r\n|[^]))*"?/y;
const REGEX =
  /\/(?:[^/\\[\n\r\u2028\u2029]|\\[^\n\r\u2028\u2029]|\[(?:[^\]\\\n\r\u2028\u2029]|\\[^\n\r\u2028\u2029])*\]?)+\/[\p{ID_Continue}$]*/uy;
/** The rest of a template from after its `` ` `` or `}`: up to its next `${` or its end. */
const TEMPLATE = /(?:[^`\\$]|\\[^]|\$(?!\{))*(?:`|\$\{)?/y;
const PUNCTUATOR =
  /\?\.(?!\d)|>>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&|\|\||\?\?|\+\+|--|\+=|-=|\*=|%=|&=|\|=|\^=|<<|>>|\*\*|[^]/y;
const SPACE = /(?:[\s\uFEFF]+|\/\/[^\n\r\u2028\u2029]*|\/\*[^]*?(?:\*\/|$))*/y;

/** Keywords after which a `/` begins a regular expression, not a division. */
const BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
  "default",
  "extends",
]);

/** Keywords whose parenthesised head is followed by a statement (so `) /x/` is a regular expression). */
const STATEMENT_HEADS = new Set(["if", "while", "for", "with"]);

/**
 * Splits JavaScript into its tokens (whitespace, comments and a leading `#!` line left out). A
 * template is split at its `${` and `}`; a `/` after an expression is a division, elsewhere a
 * regular expression. Text that is not JavaScript still splits, a character at a time where
 * nothing else matches: the result is only used to compare two texts.
 *
 * @example
 * ```ts
 * import { tokenize } from "./_reprint.ts";
 *
 * console.log(tokenize("a = b / c; // d\nx = /re/g.test(`${a}`)").texts);
 * // ["a", "=", "b", "/", "c", ";", "x", "=", "/re/g", ".", "test", "(", "`${", "a", "}`", ")"]
 * ```
 */
export function tokenize(text: string): Tokens {
  const texts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  // What each open `{`, `(` and template `${` was: a block's `}` and a statement head's `)` may be
  // followed by a regular expression.
  const braces: ("block" | "expression" | "template")[] = [];
  const parens: boolean[] = [];
  // Whether a `/` here begins a regular expression.
  let regexAllowed = true;
  let previous = "";
  let at = text.startsWith("#!") ? text.search(/[\n\r\u2028\u2029]|$/) : 0;
  const push = (end: number) => {
    previous = text.slice(at, end);
    texts.push(previous);
    starts.push(at);
    ends.push(end);
    at = end;
  };
  const match = (pattern: RegExp) => {
    pattern.lastIndex = at;
    return pattern.exec(text) === null ? at : pattern.lastIndex;
  };
  while (true) {
    at = match(SPACE);
    if (at >= text.length) break;
    const c = text.charCodeAt(at);
    let end: number;
    if (c === 0x27 || c === 0x22) { // ' "
      push(match(STRING));
      regexAllowed = false;
      continue;
    }
    if (c === 0x60 || (c === 0x7d && braces.at(-1) === "template")) { // ` or the } closing a ${
      if (c === 0x7d) braces.pop();
      TEMPLATE.lastIndex = at + 1;
      TEMPLATE.exec(text);
      end = TEMPLATE.lastIndex;
      const opens = text.startsWith("${", end - 2) && end - 2 >= at + 1;
      push(end);
      if (opens) braces.push("template");
      regexAllowed = opens;
      continue;
    }
    if (c >= 0x30 && c <= 0x39 || (c === 0x2e && /\d/.test(text[at + 1] ?? ""))) {
      push(match(NUMBER));
      regexAllowed = false;
      continue;
    }
    if (c === 0x23) { // # of a private name
      WORD.lastIndex = at + 1;
      if (WORD.exec(text) !== null) {
        push(WORD.lastIndex);
        regexAllowed = false;
        continue;
      }
    }
    end = match(WORD);
    if (end > at) {
      push(end);
      regexAllowed = BEFORE_EXPRESSION.has(previous);
      continue;
    }
    if (c === 0x2f) { // /
      if (regexAllowed && (end = match(REGEX)) > at) {
        push(end);
        regexAllowed = false;
      } else {
        push(text[at + 1] === "=" ? at + 2 : at + 1);
        regexAllowed = true;
      }
      continue;
    }
    const before = previous;
    const last = texts.length;
    push(match(PUNCTUATOR));
    switch (previous) {
      case "(":
        parens.push(last > 0 && STATEMENT_HEADS.has(before));
        regexAllowed = true;
        break;
      case ")":
        regexAllowed = parens.pop() ?? false;
        break;
      case "{":
        braces.push(
          last === 0 || /^(?:[)};{]|=>)$/.test(before) || ["else", "do", "try", "finally"].includes(before) ||
            /^[\p{ID_Continue}$]+$/u.test(before) && !BEFORE_EXPRESSION.has(before)
            ? "block"
            : "expression",
        );
        regexAllowed = true;
        break;
      case "}":
        regexAllowed = braces.pop() === "block";
        break;
      case "]":
      case "++":
      case "--":
        regexAllowed = false;
        break;
      default:
        regexAllowed = true;
    }
  }
  return { texts, starts, ends };
}

/** The punctuators swc's print adds or drops. */
const LOOSE = new Set([";", ",", "(", ")"]);

/**
 * How many tokens of both texts may be skipped, in all, to find where they go on alike after a
 * difference; beyond that the texts are not one file's and its print.
 */
export const MAX_SKIP = 64;

/** How many tokens must be alike after a difference for the texts to be in step again. */
const IN_STEP = 4;

/**
 * Aligns the tokens of a re-printed text with those of the file it was printed from: for each token
 * of `printed`, the index of the same token of `original`, or -1 when the file has no such token
 * (a `;` the print added). Deterministic: the tokens other than `;`, `,`, `(` and `)` are matched
 * in order, and after a difference the texts are put in step by skipping the fewest tokens; then
 * those four are matched between each matched pair by a longest common subsequence.
 *
 * @returns the alignment, or `null` when the texts are not one file and its print: after a
 *   difference, no {@linkcode IN_STEP} tokens are alike within {@linkcode MAX_SKIP} skipped tokens,
 *   or not even half of the tokens other than those four are matched
 */
export function alignTokens(printed: Tokens, original: Tokens): Int32Array | null {
  const toOriginal = new Int32Array(printed.texts.length).fill(-1);
  const strict = (tokens: Tokens) => tokens.texts.flatMap((text, i) => LOOSE.has(text) ? [] : [i]);
  const p = strict(printed), o = strict(original);
  const pt = printed.texts, ot = original.texts;
  const same = (i: number, j: number) => pt[p[i]] === ot[o[j]];
  const inStep = (i: number, j: number) => {
    for (let k = 0; k < IN_STEP; k++) {
      if (i + k === p.length || j + k === o.length) return i + k === p.length && j + k === o.length;
      if (!same(i + k, j + k)) return false;
    }
    return true;
  };
  const anchors: [number, number][] = [];
  let i = 0, j = 0;
  while (i < p.length && j < o.length) {
    if (same(i, j)) {
      anchors.push([p[i++], o[j++]]);
      continue;
    }
    let found = false;
    // Fewer tokens skipped in all first; of as many, fewer of the print's.
    for (let skipped = 1; skipped <= MAX_SKIP && !found; skipped++) {
      for (let a = 0; a <= skipped && !found; a++) {
        if (i + a <= p.length && j + skipped - a <= o.length && inStep(i + a, j + skipped - a)) {
          i += a;
          j += skipped - a;
          found = true;
        }
      }
    }
    if (!found) return null;
  }
  // A print keeps all but a few of them (the code a transform replaced).
  if (anchors.length * 2 < Math.max(p.length, o.length)) return null;
  // The loose punctuators (and tokens a difference skipped) between two matched tokens.
  let fromP = 0, fromO = 0;
  for (const [toP, toO] of [...anchors, [pt.length, ot.length]]) {
    matchBetween(pt, fromP, toP, ot, fromO, toO, toOriginal);
    if (toP < pt.length) toOriginal[toP] = toO;
    fromP = toP + 1;
    fromO = toO + 1;
  }
  return toOriginal;
}

/** The longest common subsequence of `pt[p0..p1)` and `ot[o0..o1)`, written into `toOriginal`. */
function matchBetween(
  pt: string[],
  p0: number,
  p1: number,
  ot: string[],
  o0: number,
  o1: number,
  toOriginal: Int32Array,
): void {
  const n = p1 - p0, m = o1 - o0;
  if (n === 0 || m === 0) return;
  if (n * m > 65536) {
    // Not seen in a print; in step from both ends is deterministic and cheap.
    let k = 0;
    for (; k < Math.min(n, m) && pt[p0 + k] === ot[o0 + k]; k++) toOriginal[p0 + k] = o0 + k;
    for (let e = 1; e <= Math.min(n, m) - k && pt[p1 - e] === ot[o1 - e]; e++) toOriginal[p1 - e] = o1 - e;
    return;
  }
  const lengths = new Uint16Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[at(i, j)] = pt[p0 + i] === ot[o0 + j]
        ? lengths[at(i + 1, j + 1)] + 1
        : Math.max(lengths[at(i + 1, j)], lengths[at(i, j + 1)]);
    }
  }
  for (let i = 0, j = 0; i < n && j < m;) {
    if (pt[p0 + i] === ot[o0 + j]) toOriginal[p0 + i++] = o0 + j++;
    else if (lengths[at(i + 1, j)] >= lengths[at(i, j + 1)]) i++;
    else j++;
  }
}

/** The offsets at which each line of `text` begins; lines end as ECMAScript's (and esbuild's) do. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  const breaks = /\r\n?|[\n\u2028\u2029]/g;
  while (breaks.exec(text) !== null) starts.push(breaks.lastIndex);
  return starts;
}

/** Moves a 0-based line and column of a re-printed text to the file it was printed from. */
export type Repositioner = (line: number, column: number) => [line: number, column: number];

/**
 * The {@linkcode Repositioner} from `printed`, swc's print of `original`, to `original`; `null`
 * when their tokens do not align ({@linkcode alignTokens}).
 *
 * A position inside a token moves to the same character of the file's token (aligned tokens are
 * the same text). A token only the print has moves to the
 * file's token it replaced, if any; else an opening `(` to the start of the next aligned token and
 * anything else to the end of the previous one. A position between tokens moves to that of the
 * token after it.
 *
 * @example
 * ```ts
 * import { repositioner } from "./_reprint.ts";
 *
 * const original = "// a comment\n\nexport const f = x =>\n  x + 1\n";
 * const printed = "// a comment\nexport const f = (x)=>x + 1;\n";
 * console.log(repositioner(printed, original)?.(1, 22)); // [3, 2]: the second x, two lines down
 * ```
 */
export function repositioner(printed: string, original: string): Repositioner | null {
  const move = packedRepositioner(printed, original);
  return move && ((line, column) => {
    const packed = move(line, column);
    return [Math.floor(packed / COLUMNS), packed % COLUMNS];
  });
}

/** A line and column packed into one number, `line * COLUMNS + column`, to move one without allocating. */
const COLUMNS = 2 ** 32;

/** {@linkcode repositioner}, giving packed positions ({@linkcode COLUMNS}). */
function packedRepositioner(printed: string, original: string): ((line: number, column: number) => number) | null {
  // A byte order mark is no column: editors do not show it, and swc's print drops it.
  const text = original.startsWith("\uFEFF") ? original.slice(1) : original;
  const p = tokenize(printed), o = tokenize(text);
  const toOriginal = alignTokens(p, o);
  if (toOriginal === null) return null;
  const count = p.texts.length;
  // Where each token of the print moves to in the file.
  const target = new Int32Array(count);
  let previousEnd = 0;
  for (let i = 0, next = 0; i < count; i++) {
    const j = toOriginal[i];
    if (j !== -1) {
      target[i] = o.starts[j];
      previousEnd = o.ends[j];
      continue;
    }
    while (next <= i || (next < count && toOriginal[next] === -1)) next++;
    const nextStart = next < count ? o.starts[toOriginal[next]] : text.length;
    // The file's tokens between the aligned neighbours, which this one replaced.
    const replaced = lastAtOrBefore(o.starts, previousEnd - 1) + 1;
    if (replaced < o.starts.length && o.starts[replaced] < nextStart) target[i] = o.starts[replaced];
    else target[i] = p.texts[i] === "(" ? nextStart : previousEnd;
  }
  const starts = Int32Array.from(p.starts), ends = Int32Array.from(p.ends);
  const printedLines = Int32Array.from(lineStarts(printed));
  const originalLines = Int32Array.from(lineStarts(text));
  return (line, column) => {
    const offset = (line < printedLines.length ? printedLines[line] : printed.length) + column;
    const i = lastAtOrBefore(starts, offset);
    let moved: number;
    // An aligned token is the same text in both.
    if (i !== -1 && offset < ends[i]) moved = target[i] + (toOriginal[i] !== -1 ? offset - starts[i] : 0);
    else moved = i + 1 < count ? target[i + 1] : text.length;
    const movedLine = lastAtOrBefore(originalLines, moved);
    return movedLine * COLUMNS + moved - originalLines[movedLine];
  };
}

/** The index of the last of the ascending `values` at or before `value`, or -1. */
function lastAtOrBefore(values: ArrayLike<number>, value: number): number {
  let low = 0, high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (values[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/** A map as esbuild writes it: with the text of each source it read. */
export interface MapWithContent extends SourceMap {
  /** The text esbuild bundled for each source; `null` when it did not keep it. */
  sourcesContent?: (string | null)[];
}

/** Whether a source is a JavaScript file `deno bundle` re-prints. */
const JAVASCRIPT = /\.[cm]?js$/;

/** What {@linkcode restoreOriginalPositions} found for one source, kept for the other maps of a compile. */
export interface Restored {
  /** The text esbuild bundled (the print). */
  printed: string;
  /** The file's text, and how positions move to it (packed); `null` when they stay (same text, no file, no alignment). */
  original: { text: string; move: (line: number, column: number) => number } | null;
}

/**
 * `map` with the positions in each JavaScript source that `deno bundle` re-printed (its
 * `sourcesContent` differs from the file) moved to the file's own ({@linkcode repositioner}), and
 * that source's `sourcesContent` replaced by the file's text. A source that cannot be read or
 * aligned keeps its positions.
 *
 * @param map a map of esbuild's, each source an absolute path or a URL
 * @param read the text of a source's file, or `null` when there is none
 * @param cache by source, what was found for the other maps of the same bundling
 */
export function restoreOriginalPositions(
  map: MapWithContent,
  read: (source: string) => string | null,
  cache: Map<string, Restored> = new Map(),
): MapWithContent {
  const content = map.sourcesContent ?? [];
  const originals = map.sources.map((source, i) => {
    const printed = content[i];
    if (!JAVASCRIPT.test(source) || typeof printed !== "string") return null;
    let restored = cache.get(source);
    if (restored === undefined || restored.printed !== printed) {
      const text = read(source);
      const move = text === null || text === printed ? null : packedRepositioner(printed, text);
      restored = { printed, original: move === null ? null : { text: text!, move } };
      cache.set(source, restored);
    }
    return restored.original;
  });
  if (originals.every((original) => original === null)) return map;
  const mappings = remapMappings(map.mappings, originals.map((original) => original?.move ?? null));
  const sourcesContent = map.sourcesContent?.map((text, i) => originals[i]?.text ?? text);
  return { ...map, mappings, ...(sourcesContent ? { sourcesContent } : {}) };
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Int8Array(128).fill(-1);
const BASE64_CODE = new Uint8Array(64);
for (let i = 0; i < BASE64.length; i++) {
  BASE64_VALUE[BASE64.charCodeAt(i)] = i;
  BASE64_CODE[i] = BASE64.charCodeAt(i);
}

/**
 * A map's `mappings` with the original line and column of each segment of source `s` moved by
 * `moves[s]` (packed, {@linkcode COLUMNS}), the others as they were: decoded and encoded again in
 * one pass, without the arrays of {@linkcode decodeMappings} (a bundle's map has tens of thousands
 * of segments, and a compile moves one map per function).
 *
 * @throws {Error} on a character outside Base64 or a segment of 2, 3 or more than 5 fields
 */
export function remapMappings(mappings: string, moves: (((line: number, column: number) => number) | null)[]): string {
  // The output, as Base64 bytes; moved numbers may take more digits than they did.
  let out = new Uint8Array(mappings.length + 64);
  let written = 0;
  const room = (bytes: number) => {
    if (written + bytes <= out.length) return;
    const grown = new Uint8Array(out.length * 2 + bytes);
    grown.set(out);
    out = grown;
  };
  const write = (n: number) => {
    room(12);
    let value = n < 0 ? -n * 2 + 1 : n * 2;
    do {
      const digit = value % 32;
      value = Math.floor(value / 32);
      out[written++] = BASE64_CODE[value > 0 ? digit | 32 : digit];
    } while (value > 0);
  };
  // Decoded: absolute values; written: the last values encoded (the deltas are relative to them).
  let source = 0, line = 0, column = 0, name = 0;
  let outSource = 0, outLine = 0, outColumn = 0, outName = 0;
  let generated = 0, outGenerated = 0;
  const fields = [0, 0, 0, 0, 0];
  let at = 0;
  const length = mappings.length;
  while (at < length) {
    const c = mappings.charCodeAt(at);
    if (c === 0x3b || c === 0x2c) { // ; or ,
      room(1);
      out[written++] = c;
      if (c === 0x3b) generated = outGenerated = 0;
      at++;
      continue;
    }
    // One segment: up to five VLQ numbers.
    let n = 0;
    while (at < length) {
      const ch = mappings.charCodeAt(at);
      if (ch === 0x2c || ch === 0x3b) break;
      let value = 0, shift = 0, digit: number;
      do {
        const code = at < length ? mappings.charCodeAt(at) : 0;
        digit = code < 128 ? BASE64_VALUE[code] : -1;
        if (digit === -1) {
          throw new Error(
            `A source map's mappings hold "${mappings[at] ?? "the end"}" inside a number, which is not Base64`,
          );
        }
        at++;
        value += (digit & 31) * 2 ** shift;
        shift += 5;
      } while (digit & 32);
      if (n === 5) throw new Error("A source map segment has more than 5 fields");
      fields[n++] = value % 2 === 1 ? -(value - 1) / 2 : value / 2;
    }
    if (n !== 1 && n !== 4 && n !== 5) throw new Error(`A source map segment has ${n} fields`);
    generated += fields[0];
    write(generated - outGenerated);
    outGenerated = generated;
    if (n === 1) continue;
    source += fields[1];
    line += fields[2];
    column += fields[3];
    let movedLine = line, movedColumn = column;
    const move = moves[source];
    if (move) {
      const packed = move(line, column);
      movedLine = Math.floor(packed / COLUMNS);
      movedColumn = packed % COLUMNS;
    }
    write(source - outSource);
    write(movedLine - outLine);
    write(movedColumn - outColumn);
    outSource = source;
    outLine = movedLine;
    outColumn = movedColumn;
    if (n === 5) {
      name += fields[4];
      write(name - outName);
      outName = name;
    }
  }
  return new TextDecoder().decode(out.subarray(0, written));
}
