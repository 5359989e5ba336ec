/**
 * The compiler without a database: the naming rule, diagnostics parsing, JSON Schema → TypeScript,
 * source maps (the pure helpers, then the maps of compiled bodies), and the globals plts lacks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tsType } from "../api/types.ts";
import {
  assignNames,
  compile,
  CompileError,
  type CompileResult,
  metadataLine,
  parseDenoDiagnostics,
  readMetadata,
  snakeCase,
  sqlName,
} from "../compiler/mod.ts";
import { missingGlobal, UNAVAILABLE_GLOBALS } from "../compiler/globals.ts";
import {
  alignTokens,
  lineStarts,
  type MapWithContent,
  MAX_SKIP,
  remapMappings,
  repositioner,
  restoreOriginalPositions,
  tokenize,
} from "../compiler/_reprint.ts";
import {
  compose,
  decodeMappings,
  editColumns,
  encodeMappings,
  insertions,
  offsetLines,
  originalPosition,
  portableSource,
  type Segment,
  type SourceMap,
  sourceMapComment,
  splitSourceMap,
} from "../compiler/sourcemap.ts";
import denoJson from "../deno.json" with { type: "json" };

Deno.test("sqlName joins path segments and the export name in lower snake case; default adds nothing", () => {
  assert.equal(sqlName("hello.ts", "default"), "hello");
  assert.equal(sqlName("todos.ts", "listAll"), "todos_list_all");
  assert.equal(sqlName("admin/user-profile.ts", "default"), "admin_user_profile");
  assert.equal(sqlName("api/HTTPServer.mts", "getURL"), "api_http_server_get_url");
  assert.equal(snakeCase("__a..b__"), "a_b");
});

Deno.test("sqlName refuses names that start with a digit or exceed 63 bytes", () => {
  assert.throws(() => sqlName("2fa.ts", "default"), /starts with a digit/);
  assert.throws(() => sqlName(`${"a".repeat(60)}.ts`, "more"), /longer than 63 bytes/);
});

Deno.test("assignNames reports every collision with both sources", () => {
  const { named, collisions } = assignNames([
    { file: "functions/todos.ts", relativePath: "todos.ts", exportName: "listAll" },
    { file: "functions/todos/list.ts", relativePath: "todos/list.ts", exportName: "all" },
    { file: "functions/other.ts", relativePath: "other.ts", exportName: "default" },
  ]);
  assert.deepEqual(named.map((n) => n.name), ["todos_list_all", "other"]);
  assert.deepEqual(collisions, [{
    name: "todos_list_all",
    sources: ["functions/todos.ts#listAll", "functions/todos/list.ts#all"],
  }]);
});

Deno.test("parseDenoDiagnostics reads type errors and parse errors with file, line and column", () => {
  const output = `Check functions/a.ts
TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.
  const n: number = "x";
        ^
    at file:///p/functions/a.ts:4:9

error: The module's source code could not be parsed: Expression expected at file:///p/functions/b.ts:3:13

error: Type checking failed.
`;
  const display = (path: string) => path.replace("/p/", "");
  assert.deepEqual(parseDenoDiagnostics(output, display), [
    {
      file: "functions/a.ts",
      line: 4,
      column: 9,
      code: "TS2322",
      message: "Type 'string' is not assignable to type 'number'.",
    },
    {
      file: "functions/b.ts",
      line: 3,
      column: 13,
      code: null,
      message: "The module's source code could not be parsed: Expression expected",
    },
  ]);
});

Deno.test("the metadata line round-trips and a body without it has none", () => {
  const meta = {
    format: 1 as const,
    name: "f",
    kind: "query" as const,
    source: "functions/f.ts#default",
    args: null,
    returns: null,
  };
  assert.deepEqual(readMetadata(`${metadataLine(meta)}\nexport default 1;`), meta);
  assert.equal(readMetadata("export default 1;"), null);
});

Deno.test("tsType turns valibot's JSON Schemas into TypeScript types", () => {
  const schema = {
    type: "object",
    properties: {
      id: { type: "number" },
      tags: { type: "array", items: { type: "string" } },
      mode: { enum: ["a", "b"] },
      note: { anyOf: [{ type: "string" }, { type: "null" }] },
    },
    required: ["id", "tags"],
  };
  assert.equal(
    tsType(schema, ""),
    `{\n  id: number;\n  tags: string[];\n  mode?: "a" | "b";\n  note?: string | null;\n}`,
  );
  assert.equal(tsType({ type: "object", properties: {} }, ""), "Record<string, unknown>");
  assert.equal(tsType(true, ""), "unknown");
});

Deno.test("decodeMappings and encodeMappings round-trip, with negative deltas, names and empty lines", () => {
  const lines = [[], [[0, 0, 10, 4], [7, 1, 2, 0, 0]], [], [[2], [3, 0, 9, 31, 1]]] as ReturnType<
    typeof decodeMappings
  >;
  const text = encodeMappings(lines);
  assert.deepEqual(decodeMappings(text), lines);
  assert.equal(encodeMappings(decodeMappings("AAAA,SAAS;;AACA,gBAAgB")), "AAAA,SAAS;;AACA,gBAAgB");
  assert.deepEqual(decodeMappings("2BAAA"), [[[27, 0, 0, 0]]]);
  assert.throws(() => decodeMappings("A!"), /not Base64/);
});

Deno.test("compose maps a file through an intermediate one to the originals; unmapped stays unmapped", () => {
  // a.ts --(inner)--> mid.js --(outer)--> out.js
  const inner: SourceMap = {
    version: 3,
    sources: ["a.ts"],
    names: ["greet"],
    mappings: encodeMappings([[[0, 0, 0, 0]], [[2, 0, 3, 4, 0], [9, 0, 3, 12]]]),
  };
  const outer: SourceMap = {
    version: 3,
    sources: ["mid.js"],
    names: [],
    mappings: encodeMappings([[], [[0, 0, 1, 2], [5, 0, 1, 9], [8, 0, 7, 0]]]),
  };
  const map = compose(outer, inner);
  assert.deepEqual(originalPosition(map, 1, 0), { source: "a.ts", line: 3, column: 4, name: "greet" });
  assert.deepEqual(originalPosition(map, 1, 6), { source: "a.ts", line: 3, column: 12, name: null });
  assert.equal(originalPosition(map, 1, 8), null, "mid.js line 8 maps to nothing");
  assert.equal(originalPosition(map, 0, 0), null);
});

Deno.test("insertions and editColumns keep a map right when a fix inserts /* @__PURE__ */", () => {
  const before = "var a = query(v.object({}), f);\nexport { a };";
  const after = "var a = /* @__PURE__ */ query(/* @__PURE__ */ v.object({}), f);\nexport { a };";
  const edits = insertions(before, after, "/* @__PURE__ */ ");
  assert.deepEqual(edits, [
    { line: 0, column: 8, removed: 0, inserted: 16 },
    { line: 0, column: 14, removed: 0, inserted: 16 },
  ]);
  const map: SourceMap = {
    version: 3,
    sources: ["x.ts"],
    names: [],
    mappings: encodeMappings([[[0, 0, 0, 0], [8, 0, 0, 12], [14, 0, 0, 18]], [[0, 0, 1, 0]]]),
  };
  const shifted = decodeMappings(editColumns(map, edits).mappings);
  assert.deepEqual(shifted, [[[0, 0, 0, 0], [24, 0, 0, 12], [46, 0, 0, 18]], [[0, 0, 1, 0]]]);
  assert.throws(() => insertions("a\nb", "a", "x"), /number of lines/);
  assert.throws(() => insertions("abc", "aXc", "/* @__PURE__ */ "), /other than by inserting/);
  // A replacement moves what follows it on its line and what it covered to its start.
  assert.deepEqual(
    decodeMappings(editColumns(map, [{ line: 0, column: 4, removed: 6, inserted: 2 }]).mappings)[0],
    [[0, 0, 0, 0], [4, 0, 0, 12], [10, 0, 0, 18]],
  );
  assert.deepEqual(decodeMappings(offsetLines(map, 1).mappings)[1], [[0, 0, 0, 0], [8, 0, 0, 12], [14, 0, 0, 18]]);
});

Deno.test("portableSource names project files, npm and jsr files the same on every machine", () => {
  const root = "/home/ada/app";
  const cache = "/home/ada/.cache/deno/npm/registry.npmjs.org";
  assert.equal(portableSource(`${root}/functions/items.ts`, root), "functions/items.ts");
  assert.equal(portableSource(`file://${root}/functions/a%20b.ts`, root), "functions/a b.ts");
  assert.equal(portableSource(`${cache}/slugify/1.6.6/slugify.js`, root), "npm:slugify@1.6.6/slugify.js");
  assert.equal(portableSource(`${cache}/@scope/pkg/2.0.0/dist/index.mjs`, root), "npm:@scope/pkg@2.0.0/dist/index.mjs");
  assert.equal(
    portableSource(`${root}/node_modules/.deno/@scope+pkg@2.0.0/node_modules/@scope/pkg/lib/a.js`, root),
    "npm:@scope/pkg@2.0.0/lib/a.js",
  );
  assert.equal(
    portableSource(`${root}/node_modules/left-pad/index.js`, root, () => "1.3.0"),
    "npm:left-pad@1.3.0/index.js",
  );
  assert.equal(portableSource("https://jsr.io/@std/text/1.0.0/slugify.ts", root), "jsr:@std/text@1.0.0/slugify.ts");
  assert.equal(portableSource("https://esm.sh/x@1/index.js", root), "https://esm.sh/x@1/index.js");
  assert.equal(portableSource("/home/ada/shared/money.ts", root), "../shared/money.ts");
});

Deno.test("sourceMapComment and splitSourceMap round-trip a body's map", () => {
  const map: SourceMap = { version: 3, sources: ["functions/é.ts"], names: [], mappings: ";AAAA" };
  const body = `// @stopgap {}\nexport default 1;${sourceMapComment(map)}`;
  assert.match(body, /\nexport default 1;\n\/\/# sourceMappingURL=data:application\/json;base64,[A-Za-z0-9+/=]+$/);
  assert.deepEqual(splitSourceMap(body), { code: "// @stopgap {}\nexport default 1;", map });
  assert.deepEqual(splitSourceMap("export default 1;"), { code: "export default 1;", map: null });
});

Deno.test("missingGlobal names the globals plts lacks in Deno's errors, and only those", () => {
  assert.equal(missingGlobal("Uncaught (in promise) ReferenceError: fetch is not defined"), "fetch");
  assert.equal(missingGlobal("TypeError: globalThis.setTimeout is not a function"), "setTimeout");
  assert.equal(missingGlobal("ReferenceError: myHelper is not defined"), undefined);
  assert.equal(missingGlobal("ReferenceError: console is not defined"), undefined);
  for (const [name, reason] of UNAVAILABLE_GLOBALS) assert.ok(reason.length > 10 && !reason.includes("\n"), name);
});

// ------------------------------------------- positions in the JavaScript files deno bundle re-prints

/** A JavaScript file as an npm package may ship it: blank lines, comments, no semicolons, arrows, trailing commas. */
const JS_FILE = `// A header comment

/**
 * Doc block.
 */
export const double = x => x * 2

export function check(x, limit,) {

  // Why it throws.
  if (x > limit) {


    throw new RangeError("too big: " + x)   // trailing
  }
  if (import.meta.main) console.log(x)
  return [x, limit,]
}
`;

/** What deno bundle (swc) re-prints {@linkcode JS_FILE} as, byte for byte (the map's sourcesContent). */
const JS_PRINTED = `// A header comment
/**
 * Doc block.
 */ export const double = (x)=>x * 2;
export function check(x, limit) {
  // Why it throws.
  if (x > limit) {
    throw new RangeError("too big: " + x) // trailing
    ;
  }
  if (false) console.log(x);
  return [
    x,
    limit
  ];
}
`;

/** The 0-based line and column of the first `token` on the first line of `text` holding `context`. */
function at(text: string, context: string, token = context): [number, number] {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(context));
  assert.ok(line >= 0, context);
  return [line, lines[line].indexOf(context) + context.indexOf(token)];
}

Deno.test("tokenize: templates split at ${ and }, regular expressions after operators and statement heads, divisions after values, no comments", () => {
  const texts = (text: string) => tokenize(text).texts;
  assert.deepEqual(texts("#!/usr/bin/env node\na = b / c /* d */ / e // f"), ["a", "=", "b", "/", "c", "/", "e"]);
  assert.deepEqual(texts("x = /[/]+\\//g.test(y); if (x) /a/.exec(y); z = (a) / 2"), [
    ..."x = /[/]+\\//g . test ( y ) ;".split(" "),
    ..."if ( x ) /a/ . exec ( y ) ;".split(" "),
    ..."z = ( a ) / 2".split(" "),
  ]);
  assert.deepEqual(texts("`a${ {b: `c${d}`}.b }e` / 2"), [
    "`a${",
    "{",
    "b",
    ":",
    "`c${",
    "d",
    "}`",
    "}",
    ".",
    "b",
    "}e`",
    "/",
    "2",
  ]);
  assert.deepEqual(texts("class A { #p = 1n; m() { return this.#p?.x ?? .5e-3 } }\r\n'q\\'s' \"\\u2028\""), [
    ..."class A { #p = 1n ; m ( ) { return this . #p ?. x ?? .5e-3 } }".split(" "),
    "'q\\'s'",
    '"\\u2028"',
  ]);
  const { starts, ends } = tokenize("let ab = 1");
  assert.deepEqual([starts, ends], [[0, 4, 7, 9], [3, 6, 8, 10]]);
});

Deno.test("alignTokens matches every token of the file swc's print kept, and only those", () => {
  const printed = tokenize(JS_PRINTED), original = tokenize(JS_FILE);
  const toOriginal = alignTokens(printed, original);
  assert.ok(toOriginal);
  const onlyPrinted = [...toOriginal.keys()].filter((i) => toOriginal[i] === -1).map((i) => printed.texts[i]);
  assert.deepEqual(onlyPrinted, ["(", ")", ";", ";", "false", ";", ";"]);
  const kept = new Set(toOriginal);
  const onlyOriginal = original.texts.filter((_, j) => !kept.has(j));
  assert.deepEqual(onlyOriginal, [",", "import", ".", "meta", ".", "main", ","]);
  for (const [i, j] of toOriginal.entries()) if (j !== -1) assert.equal(printed.texts[i], original.texts[j]);
});

Deno.test("repositioner moves a position of the re-printed text to the same token of the file", () => {
  const move = repositioner(JS_PRINTED, JS_FILE);
  assert.ok(move);
  const same = (context: string, token = context) =>
    assert.deepEqual(move(...at(JS_PRINTED, context, token)), at(JS_FILE, context, token), `${context} / ${token}`);
  same("throw new RangeError");
  same("new RangeError");
  same('"too big: " + x', "x");
  same("export function check");
  same("return [");
  same("limit", "limit");
  // Inside a token: the same character of it.
  assert.deepEqual(move(at(JS_PRINTED, "too big")[0], at(JS_PRINTED, "too big")[1] + 4), [
    at(JS_FILE, "too big")[0],
    at(JS_FILE, "too big")[1] + 4,
  ]);
  // Tokens only the print has: an arrow's "(" moves to its parameter, what replaced
  // import.meta.main to "import", a ";" to the end of the token before it.
  assert.deepEqual(move(...at(JS_PRINTED, "(x)=>")), at(JS_FILE, "x => x", "x"));
  assert.deepEqual(move(...at(JS_PRINTED, "if (false)", "false")), at(JS_FILE, "import.meta.main"));
  const semicolon = at(JS_PRINTED, "x * 2;", ";");
  assert.deepEqual(move(...semicolon), [at(JS_FILE, "x * 2")[0], at(JS_FILE, "x * 2")[1] + 5]);
  // Between tokens (the comment joined onto the export's line): the token after it.
  assert.deepEqual(move(...at(JS_PRINTED, " */ export", " ")), at(JS_FILE, "export const"));
});

Deno.test("repositioner: the file's CRLF line ends and byte order mark, and U+2028 ending a line as esbuild counts it", () => {
  const crlf = `\uFEFF${JS_FILE.replaceAll("\n", "\r\n")}`;
  const move = repositioner(JS_PRINTED, crlf);
  assert.ok(move);
  assert.deepEqual(move(...at(JS_PRINTED, "throw new")), at(JS_FILE, "throw new"));
  // The mark is no column.
  assert.deepEqual(repositioner("export const a = (x)=>x;\n", "\uFEFFexport const a = x => x\n")?.(0, 13), [0, 13]);
  const separated = repositioner('const s = "a\u2028b"; f(s);\n', 'const s = "a\u2028b"\n\nf(s)\n');
  assert.deepEqual(separated?.(1, 4), [3, 0], "f is on line 2 of the print (after U+2028), line 4 of the file");
  assert.deepEqual(lineStarts("a\r\nb\rc\nd\u2029e"), [0, 3, 5, 7, 9]);
});

Deno.test("repositioner gives up on texts that are not one file and its print", () => {
  assert.equal(repositioner("export const a = 1;\n", "module.exports = { b: 2 }\n"), null);
  const unrelated = Array.from({ length: MAX_SKIP + 10 }, (_, i) => `v${i}`).join(" + ");
  assert.equal(alignTokens(tokenize(`x = ${unrelated};`), tokenize(`x = y;`)), null);
});

Deno.test("remapMappings moves the segments of the given sources as decoding, moving and encoding again would", () => {
  // A deterministic pseudo-random map: 3 sources, names, unmapped segments, empty lines, large numbers.
  let seed = 42;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const lines = Array.from({ length: 200 }, () => {
    let column = 0;
    return Array.from({ length: random(6) }, (): Segment => {
      column += random(40);
      const kind = random(3);
      if (kind === 0) return [column];
      const segment: Segment = [column, random(3), random(100_000), random(300)];
      return kind === 1 ? segment : [...segment, random(5)] as Segment;
    });
  });
  const mappings = encodeMappings(lines);
  const move = (line: number, column: number) => (line * 3 + 7) * 2 ** 32 + column * 2;
  const expected = lines.map((segments) =>
    segments.map((segment): Segment =>
      segment.length > 1 && segment[1] !== 1
        ? [segment[0], segment[1]!, segment[2]! * 3 + 7, segment[3]! * 2, ...segment.slice(4)] as Segment
        : segment
    )
  );
  assert.equal(remapMappings(mappings, [move, null, move]), encodeMappings(expected));
  assert.equal(remapMappings(mappings, [null, null, null]), mappings);
  assert.equal(remapMappings("", [move]), "");
  assert.throws(() => remapMappings("AA!A", [move]), /not Base64/);
  assert.throws(() => remapMappings("AAA", [move]), /3 fields/);
});

Deno.test("restoreOriginalPositions moves only the JavaScript sources deno bundle re-printed, and gives them the file's text", () => {
  const files: Record<string, string> = {
    "/p/lib/check.js": JS_FILE,
    "/p/functions/f.ts": "export const f = 1;\n",
    "/p/lib/same.js": "export const same = 1;\n",
    "/p/lib/other.js": "export const other = 1;\n",
  };
  const reads: string[] = [];
  const read = (source: string) => {
    reads.push(source);
    return files[source] ?? null;
  };
  const throwAt = at(JS_PRINTED, "throw new");
  const map: MapWithContent = {
    version: 3,
    sources: ["/p/lib/check.js", "/p/functions/f.ts", "/p/lib/same.js", "/p/lib/gone.js", "/p/lib/other.js"],
    names: ["check"],
    mappings: encodeMappings([[
      [0, 0, throwAt[0], throwAt[1], 0],
      [10, 1, 0, 7],
      [20, 2, 0, 13],
      [30, 3, 4, 2],
      [40, 4, 3, 1],
      [50],
    ]]),
    sourcesContent: [JS_PRINTED, files["/p/functions/f.ts"], files["/p/lib/same.js"], "x", "unrelated;\n"],
  };
  const cache = new Map();
  const restored = restoreOriginalPositions(map, read, cache);
  assert.deepEqual(decodeMappings(restored.mappings), [[
    [0, 0, ...at(JS_FILE, "throw new"), 0],
    [10, 1, 0, 7],
    [20, 2, 0, 13],
    [30, 3, 4, 2],
    [40, 4, 3, 1],
    [50],
  ]]);
  assert.deepEqual(restored.sourcesContent, [
    JS_FILE,
    files["/p/functions/f.ts"],
    files["/p/lib/same.js"],
    "x",
    "unrelated;\n",
  ]);
  assert.deepEqual(
    reads,
    ["/p/lib/check.js", "/p/lib/same.js", "/p/lib/gone.js", "/p/lib/other.js"],
    "no .ts file is read",
  );
  // Another map of the same bundling reads nothing again; one without a re-printed source is returned as it is.
  reads.length = 0;
  assert.deepEqual(restoreOriginalPositions(map, read, cache), restored);
  assert.deepEqual(reads, []);
  const plain: MapWithContent = {
    ...map,
    sourcesContent: map.sourcesContent!.map((_, i) => i === 0 ? null : map.sourcesContent![i]),
  };
  assert.equal(restoreOriginalPositions(plain, read, new Map()), plain);
});

// ---------------------------------------------------------------- compiled projects (no database)

/** A throwaway project whose deno.json resolves the runtime (this checkout), valibot, slugify and decimal.js. */
async function project(files: Record<string, string>): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "stopgap-compiler-test-" }));
  const config = {
    imports: {
      "@stopgap/runtime": new URL("../runtime/mod.ts", import.meta.url).href,
      valibot: denoJson.imports.valibot,
      "@valibot/to-json-schema": denoJson.imports["@valibot/to-json-schema"],
      slugify: "npm:slugify@1.6.6",
      "decimal.js": "npm:decimal.js@10.6.0",
    },
  };
  await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify(config));
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, path), text);
  }
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Line 9, column 5: the throw; the valibot import is only used by `save`, so the shaken bundle of `fail` drops it. */
const THROWS = `import { mutation, query, v } from "@stopgap/runtime";
import * as valibot from "valibot";
import slugify from "slugify";

export const save = mutation(valibot.object({ n: valibot.number() }), ({ n }) => n);

export const fail = query(v.object({ name: v.string() }), ({ name }) => {
  if (name === "") {
    throw new Error("empty name");
  }
  return slugify.default(name);
});
`;

/** The body of `name`, its code without the map comment and the map. */
function bodyOf(result: CompileResult, name: string): { body: string; lines: string[]; map: SourceMap } {
  const fn = result.functions.find((f) => f.name === name);
  assert.ok(fn, `no function ${name}`);
  const { code, map } = splitSourceMap(fn.code);
  assert.ok(map, "the body ends with its source map");
  return { body: fn.code, lines: code.split("\n"), map };
}

Deno.test("a body's source map maps the user's throw to its line and column, and npm code to npm:<name>@<version>", async () => {
  await using p = await project({ "functions/x.ts": THROWS });
  const result = await compile({ root: p.dir });
  const { body, lines, map } = bodyOf(result, "x_fail");
  assert.match(body, /\n\/\/# sourceMappingURL=data:application\/json;base64,[A-Za-z0-9+/=]+$/);
  assert.ok(lines[0].startsWith("// @stopgap "), "line 1 is the metadata line");
  assert.equal(lines.filter((l) => l.includes('from "valibot"')).length, 0, "the unused import is gone");

  const line = lines.findIndex((l) => l.includes('throw new Error("empty name")'));
  assert.ok(line > 0);
  const throwAt = lines[line].indexOf("throw");
  assert.deepEqual(originalPosition(map, line, throwAt), { source: "functions/x.ts", line: 8, column: 4, name: null });
  const newAt = lines[line].indexOf("new Error");
  assert.deepEqual(originalPosition(map, line, newAt), { source: "functions/x.ts", line: 8, column: 10, name: null });
  const returned = lines.findIndex((l) => /return .*\(name\);/.test(l));
  assert.equal(originalPosition(map, returned, lines[returned].indexOf("name)"))?.line, 10);

  const npmLine = lines.findIndex((l) => l.includes("slugify: string argument expected"));
  const npm = originalPosition(map, npmLine, lines[npmLine].indexOf("throw"));
  assert.equal(npm?.source, "npm:slugify@1.6.6/slugify.js");
  assert.deepEqual(map.sources.toSorted(), ["functions/x.ts", "npm:slugify@1.6.6/slugify.js"]);
  assert.equal(JSON.stringify(map).includes("sourcesContent"), false);
});

/** A file of an npm package in Deno's npm cache (`deno info --json` names the cache). */
async function npmFile(name: string, version: string, path: string): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).output();
  const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
  return await Deno.readTextFile(join(npmCache, "registry.npmjs.org", name, version, path));
}

/** A JavaScript file of the project that uses a global plts lacks, after blank lines. */
const LATER_JS = `// Runs f later.


export function later(f) {

  return setTimeout(f, 1)
}
`;

Deno.test("a body's source map maps bundled JavaScript files (the project's, npm's) to the files' own lines and columns, not to deno bundle's re-print", async () => {
  await using p = await project({
    "lib/check.js": JS_FILE,
    "lib/later.js": LATER_JS,
    "functions/c.ts": `import { query, v } from "@stopgap/runtime";
import { Decimal } from "decimal.js";
import { check, double } from "../lib/check.js";
import { later } from "../lib/later.js";

export default query(v.object({ n: v.number(), s: v.string() }), ({ n, s }) =>
  [double(check(n, 3)), new Decimal(s).toString(), later(() => {})]);
`,
  });
  const result = await compile({ root: p.dir });
  const { lines, map } = bodyOf(result, "c");
  const original = (context: string, token = context) => {
    const [line, column] = at(lines.join("\n"), context, token);
    const position = originalPosition(map, line, column);
    return position && `${position.source}:${position.line + 1}:${position.column + 1}`;
  };
  const expected = (file: string, text: string, context: string, token = context) => {
    const [line, column] = at(text, context, token);
    return `${file}:${line + 1}:${column + 1}`;
  };
  // The project's own JavaScript file: blank lines and comments before the throw.
  assert.equal(original("throw new RangeError"), expected("lib/check.js", JS_FILE, "throw new RangeError"));
  assert.equal(original('"too big: " + x', "x"), expected("lib/check.js", JS_FILE, '"too big: " + x', "x"));
  assert.equal(original("x * 2"), expected("lib/check.js", JS_FILE, "x * 2"));
  // decimal.js's decimal.mjs as its package ships it.
  const decimal = await npmFile("decimal.js", "10.6.0", "decimal.mjs");
  const npm = "npm:decimal.js@10.6.0/decimal.mjs";
  assert.equal(
    original("throw Error(invalidArgument + str)"),
    expected(npm, decimal, "throw Error(invalidArgument + str)"),
  );
  assert.equal(
    original("function parseOther", "parseOther"),
    expected(npm, decimal, "function parseOther", "parseOther"),
  );
  // A warning's location is the file's too.
  assert.deepEqual(result.warnings.map((w) => [w.global, w.location]), [
    ["setTimeout", expected("lib/later.js", LATER_JS, "setTimeout")],
  ]);
});

Deno.test("the same project compiled in two directories gives the same bodies, with no local path in them", async () => {
  const files = { "functions/x.ts": THROWS, "functions/nested/y.ts": THROWS.replaceAll("empty name", "no name") };
  await using a = await project(files);
  await using b = await project(files);
  const first = await compile({ root: a.dir });
  const second = await compile({ root: b.dir });
  assert.deepEqual(first.functions.map((f) => f.name), ["nested_y_fail", "nested_y_save", "x_fail", "x_save"]);
  assert.deepEqual(second.functions.map((f) => f.code), first.functions.map((f) => f.code));
  const cache = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/", ".cache");
  for (const fn of first.functions) {
    const text = `${fn.code}\n${JSON.stringify(splitSourceMap(fn.code).map)}`;
    for (const local of [a.dir, "stopgap-build-", "stopgap-compiler-test-", cache, "registry.npmjs.org", "file:"]) {
      assert.equal(text.includes(local), false, `${fn.name} holds "${local}"`);
    }
  }
});

Deno.test("a module that calls fetch at load time fails to compile: plts has no fetch", async () => {
  await using p = await project({
    "functions/f.ts": `import { query, v } from "@stopgap/runtime";

const config = await fetch("https://example.com/config.json");

export default query(v.object({}), () => config.status);
`,
  });
  const error = await compile({ root: p.dir }).then(() => null, (e) => e);
  assert.ok(error instanceof CompileError, String(error));
  assert.equal(error.code, "inspect_failed");
  assert.match(error.message, /functions\/f\.ts:3:\d+: .*ReferenceError: fetch is not defined/);
  assert.match(error.hint ?? "", /^plts has no fetch \(no network access: .*\)/);
});

Deno.test("a handler that uses setTimeout compiles with a warning naming the function; typeof guards do not warn", async () => {
  await using p = await project({
    "functions/t.ts": `import { query, v } from "@stopgap/runtime";

export const later = query(v.object({}), async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return 1;
});

export const guarded = query(v.object({}), () => {
  const timers = typeof setTimeout === "function";
  const every = typeof setInterval !== "undefined" ? setInterval : undefined;
  if (typeof clearTimeout === "function") clearTimeout(0);
  const local = { fetch: 1, process: 2 };
  return [timers, every === undefined, local.fetch, local.process, globalThis.fetch === undefined];
});
`,
  });
  const result = await compile({ root: p.dir });
  assert.deepEqual(result.functions.map((f) => f.name), ["t_guarded", "t_later"]);
  assert.deepEqual(result.warnings.map(({ message: _, ...w }) => w), [
    { function: "t_later", global: "setTimeout", location: "functions/t.ts:4:34" },
  ]);
  assert.match(
    result.warnings[0].message,
    /^function t_later \(functions\/t\.ts#later\) uses setTimeout at functions\/t\.ts:4:34, which plts does not have: a call runs inside a transaction/,
  );
});
