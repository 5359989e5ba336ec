/**
 * How a shell runs this CLI again, for messages that tell the user what to type next.
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The command that runs this CLI from a shell: `STOPGAP_COMMAND` when set (the `stopgap` script of
 * `./dev install-cli` sets it); for a `deno compile`d binary, `stopgap` when that name on `PATH`
 * is this binary, else its path; from source, `deno run -A <cli.ts>`, with `deno` when that name on
 * `PATH` is the running Deno, else its path.
 *
 * @param env the environment to read `STOPGAP_COMMAND` and `PATH` from
 * @returns a command prefix, quoted for a POSIX shell, e.g. `deno run -A /src/stopgap/cli.ts`
 *
 * @example The command of `init`'s next step
 * ```ts
 * import { invocation } from "./_invocation.ts";
 *
 * invocation({ STOPGAP_COMMAND: "stopgap" }); // "stopgap"
 * ```
 */
export function invocation(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  if (env.STOPGAP_COMMAND) return env.STOPGAP_COMMAND;
  const self = Deno.execPath();
  if (Deno.build.standalone) return onPath(basename(self), self, env.PATH) ? basename(self) : shellQuote(self);
  const deno = onPath("deno", self, env.PATH) ? "deno" : shellQuote(self);
  const cli = new URL("../cli.ts", import.meta.url);
  return `${deno} run -A ${shellQuote(cli.protocol === "file:" ? fileURLToPath(cli) : cli.href)}`;
}

/** Whether the shell finds `name` on `path` as the executable `target` (the first match counts). */
function onPath(name: string, target: string, path = ""): boolean {
  for (const dir of path.split(":").filter((d) => d !== "")) {
    let found: string;
    try {
      found = Deno.realPathSync(join(dir, name));
    } catch {
      continue;
    }
    try {
      return found === Deno.realPathSync(target);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * `text` as one word of a POSIX shell: unchanged when it has only safe characters, else in single quotes.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./_invocation.ts";
 *
 * shellQuote("my-app"); // "my-app"
 * shellQuote("my app"); // "'my app'"
 * ```
 */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
