/**
 * The globals of Deno, Node.js and browsers that plts does not have, by design, each with the
 * reason: the one list the compiler checks function modules against.
 *
 * plts has the ES2023 builtins of QuickJS, `console`, `TextEncoder`/`TextDecoder`,
 * `URL`/`URLSearchParams`, `structuredClone`, `crypto`, `atob`/`btoa`, `performance.now` and
 * `queueMicrotask` (docs/RUNTIME-CONTRACT.md lists them).
 * `stopgap deploy` imports the function modules without these globals, so that a module using one
 * at load time fails there, and warns about every function whose bundle refers to one.
 *
 * @module
 */

const TIMERS = "a call runs inside a transaction and returns before any timer could fire";
const NETWORK = "no network access: the database server is not the place to call other services";
const FILES = "no files or blobs: the database server is not the place for them; keep bytes in a bytea column";
const NODE = "plts is not Node.js";
const BROWSER = "plts is not a browser";
const STORAGE = "plts keeps no state outside the database: keep it in tables, through ctx.db";

/**
 * Each global plts lacks, with why, in one line.
 *
 * @example Why a global is missing
 * ```ts
 * import { UNAVAILABLE_GLOBALS } from "./globals.ts";
 *
 * console.log(UNAVAILABLE_GLOBALS.get("setTimeout"));
 * // "a call runs inside a transaction and returns before any timer could fire"
 * console.log(UNAVAILABLE_GLOBALS.has("console")); // false
 * ```
 */
export const UNAVAILABLE_GLOBALS: ReadonlyMap<string, string> = new Map([
  ["setTimeout", TIMERS],
  ["setInterval", TIMERS],
  ["setImmediate", TIMERS],
  ["clearTimeout", TIMERS],
  ["clearInterval", TIMERS],
  ["clearImmediate", TIMERS],
  ["fetch", NETWORK],
  ["Request", NETWORK],
  ["Response", NETWORK],
  ["Headers", NETWORK],
  ["FormData", NETWORK],
  ["WebSocket", NETWORK],
  ["XMLHttpRequest", NETWORK],
  ["EventSource", NETWORK],
  ["Blob", FILES],
  ["File", FILES],
  ["Deno", "plts is not Deno: no file, network or process APIs; the database is reached through ctx.db"],
  ["process", `${NODE}: there is no process to read the environment or arguments of; pass them as arguments`],
  ["Buffer", `${NODE}: use Uint8Array, with TextEncoder and TextDecoder for text`],
  ["require", `${NODE}: a function is one ES module; its imports are bundled at deploy`],
  ["module", `${NODE}: a function is one ES module, not a CommonJS module`],
  ["exports", `${NODE}: a function is one ES module, not a CommonJS module`],
  ["__dirname", `${NODE}: a function's code is in the database, not in a directory`],
  ["__filename", `${NODE}: a function's code is in the database, not in a file`],
  ["global", `${NODE}: use globalThis`],
  ["window", `${BROWSER}: use globalThis`],
  ["self", `${BROWSER} or a worker: use globalThis`],
  ["document", `${BROWSER}: there is no page`],
  ["navigator", `${BROWSER}: there is no user agent`],
  ["location", `${BROWSER}: there is no page address`],
  ["localStorage", STORAGE],
  ["sessionStorage", STORAGE],
  ["indexedDB", STORAGE],
  ["caches", STORAGE],
  ["Worker", "a call runs in one database backend, on one thread"],
  ["alert", `${BROWSER}: there is no user to ask or tell`],
  ["confirm", `${BROWSER}: there is no user to ask or tell`],
  ["prompt", `${BROWSER}: there is no user to ask or tell`],
]);

/**
 * The module the compiler imports before the function modules when it inspects them: it deletes
 * the {@linkcode UNAVAILABLE_GLOBALS} from `globalThis`, so a module that uses one at load time
 * fails as it would in plts. `Deno` stays: Deno's own Node.js compatibility layer, which loads
 * npm packages, reads it; and the inspection runs without permissions anyway.
 */
export function withoutGlobalsModule(): string {
  const names = [...UNAVAILABLE_GLOBALS.keys()].filter((name) => name !== "Deno");
  return `// Written by the stopgap compiler (compiler/globals.ts): the globals plts does not have.
for (const name of ${JSON.stringify(names)}) delete globalThis[name];
`;
}

/**
 * The global an error message says is not defined, when plts lacks it: for Deno's
 * `ReferenceError: fetch is not defined` (or `globalThis.fetch is not a function`), `fetch`.
 *
 * @example
 * ```ts
 * import { missingGlobal } from "./globals.ts";
 *
 * console.log(missingGlobal("Uncaught (in promise) ReferenceError: fetch is not defined")); // "fetch"
 * console.log(missingGlobal("ReferenceError: x is not defined")); // undefined
 * ```
 */
export function missingGlobal(message: string): string | undefined {
  const match = /ReferenceError: ([\w$]+) is not defined/.exec(message) ??
    /TypeError: globalThis\.([\w$]+) is not a (?:function|constructor)/.exec(message);
  return match && UNAVAILABLE_GLOBALS.has(match[1]) ? match[1] : undefined;
}
