/**
 * Compile diagnostics with a file, line and column, read from `deno check` and `deno bundle` output.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** One error of the compiler, at a position in a source file. */
export interface Diagnostic {
  /** The file, relative to the project root when inside it, e.g. `functions/todos.ts`; `null` when unknown. */
  file: string | null;
  /** 1-based line; `null` when unknown. */
  line: number | null;
  /** 1-based column; `null` when unknown. */
  column: number | null;
  /** TypeScript's code (`TS2322`), or `null` for errors that have none (syntax, resolution). */
  code: string | null;
  /** The message, without the position. */
  message: string;
}

/**
 * `file:line:column: code message`, the form editors and terminals link.
 *
 * @param diagnostic the diagnostic
 * @returns e.g. `functions/todos.ts:4:7: TS2322 Type 'string' is not assignable to type 'number'.`
 *
 * @example
 * ```ts
 * import { formatDiagnostic } from "./diagnostics.ts";
 *
 * const text = formatDiagnostic({ file: "functions/a.ts", line: 4, column: 7, code: "TS2322", message: "Bad" });
 * console.log(text); // "functions/a.ts:4:7: TS2322 Bad"
 * ```
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = [diagnostic.file ?? "(unknown file)", diagnostic.line, diagnostic.column]
    .filter((part) => part !== null).join(":");
  return `${where}: ${diagnostic.code ? `${diagnostic.code} ` : ""}${diagnostic.message}`;
}

const LOCATION = /(file:\/\/[^\s:]+(?::[^\s:]+)*?):(\d+):(\d+)/;

/**
 * The diagnostics in the output of `deno check` (or `deno bundle`, `deno run`).
 *
 * `deno check` prints each type error as `TS2322 [ERROR]: message`, the source line, a caret and
 * `    at file:///...:line:column`; syntax and resolution errors are one `error: ... at file:///...:l:c`.
 *
 * @param output what Deno printed on stderr (and stdout), without colours
 * @param display turns an absolute path into the path shown to the user
 * @returns the diagnostics found; one without a position when none could be parsed but the output
 * is not empty
 */
export function parseDenoDiagnostics(output: string, display: (path: string) => string): Diagnostic[] {
  const lines = output.split("\n");
  const found: Diagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const typeError = /^(TS\d+) \[ERROR\]: (.*)$/.exec(lines[i]);
    if (typeError) {
      // The first line is the message; the lines up to "at" are chained details and the source excerpt.
      let location: RegExpExecArray | null = null;
      for (let j = i + 1; j < lines.length && !/^TS\d+ \[ERROR\]/.test(lines[j]); j++) {
        const at = /^\s+at (.*)$/.exec(lines[j]);
        if (at) {
          location = LOCATION.exec(at[1]);
          break;
        }
      }
      found.push(withLocation({ code: typeError[1], message: typeError[2] }, location, display));
      continue;
    }
    const plain = /^error: (.*)$/.exec(lines[i]);
    if (plain && !/^Type checking failed/.test(plain[1])) {
      let message = plain[1];
      let location = LOCATION.exec(message);
      // Deno puts a parse error's position on the next line(s): "    at file:///...:3:13".
      for (let j = i + 1; !location && j < lines.length && j <= i + 6; j++) {
        const at = /^\s+at (.*)$/.exec(lines[j]);
        if (at) location = LOCATION.exec(at[1]);
      }
      if (location && message.includes(location[0])) {
        message = message.replace(` at ${location[0]}`, "").replace(location[0], "").trim();
      }
      found.push(withLocation({ code: null, message }, location, display));
    }
  }
  if (found.length === 0 && output.trim() !== "") {
    found.push({ file: null, line: null, column: null, code: null, message: output.trim() });
  }
  return found;
}

function withLocation(
  base: { code: string | null; message: string },
  location: RegExpExecArray | null,
  display: (path: string) => string,
): Diagnostic {
  if (!location) return { file: null, line: null, column: null, ...base };
  let file: string;
  try {
    file = display(fileURLToPath(location[1]));
  } catch {
    file = location[1];
  }
  return { file, line: Number(location[2]), column: Number(location[3]), ...base };
}
