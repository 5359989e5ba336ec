/**
 * `stopgap init`: scaffold a project: a functions directory with an example query and mutation, and
 * a deno.json whose imports resolve `@stopgap/runtime` and `valibot` (for the functions) and
 * `@stopgap/stopgap` and `postgres` (for the typed client).
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import denoJson from "../deno.json" with { type: "json" };
import { DEFAULT_FUNCTIONS_DIR } from "../compiler/project.ts";
import { VERSION } from "../runtime/mod.ts";
import type { Command } from "./_command.ts";
import { invocation, shellQuote } from "./_invocation.ts";
import { printJson } from "./_output.ts";

/** What `stopgap init --json` prints. */
export interface InitReport {
  /** The project directory, absolute. */
  dir: string;
  /** Files written, relative to `dir`. */
  created: string[];
  /** Files that existed and were left alone, relative to `dir`. */
  kept: string[];
}

/** Where a scaffolded project's import map points the two entries of this package. */
export interface StopgapImports {
  /** The runtime the function modules import (`query`, `mutation`, `v`). */
  "@stopgap/runtime": string;
  /** The package entry the typed client imports (`createClient`). */
  "@stopgap/stopgap": string;
}

/**
 * The specifiers of this CLI's own runtime and package entry, for the project's import map: file URLs
 * of the checkout when the CLI runs from one, else the JSR package of the same version. A
 * `deno compile`d binary (`standalone`) counts as "else": its modules have `file:` URLs too, but they
 * name its embedded file system (`/tmp/deno-compile-stopgap/...`), which a `deno check` of the project
 * cannot read.
 *
 * @param moduleUrl the URL of this module (`import.meta.url`)
 * @param standalone whether the CLI runs as a `deno compile`d binary (`Deno.build.standalone`)
 * @returns the specifiers by import name
 *
 * @example From a checkout, and from the compiled binary
 * ```ts
 * import { stopgapImports } from "./init.ts";
 *
 * stopgapImports("file:///src/stopgap/commands/init.ts", false)["@stopgap/stopgap"]; // "file:///src/stopgap/mod.ts"
 * stopgapImports("file:///tmp/deno-compile-stopgap/commands/init.ts", true)["@stopgap/stopgap"]; // "jsr:@stopgap/stopgap@<VERSION>"
 * ```
 */
export function stopgapImports(moduleUrl: string | URL, standalone: boolean): StopgapImports {
  if (!standalone && new URL(moduleUrl).protocol === "file:") {
    return {
      "@stopgap/runtime": new URL("../runtime/mod.ts", moduleUrl).href,
      "@stopgap/stopgap": new URL("../mod.ts", moduleUrl).href,
    };
  }
  return {
    "@stopgap/runtime": `jsr:@stopgap/stopgap@${VERSION}/runtime`,
    "@stopgap/stopgap": `jsr:@stopgap/stopgap@${VERSION}`,
  };
}

function files(): Record<string, string> {
  const config = {
    imports: {
      ...stopgapImports(import.meta.url, Deno.build.standalone),
      // The versions built into plts: a bundle imports them from the database, so types must match.
      valibot: denoJson.imports.valibot,
      "@valibot/to-json-schema": denoJson.imports["@valibot/to-json-schema"],
      // The client's driver (`createClient(postgres(url), ...)`), the version this package is tested with.
      postgres: denoJson.imports.postgres,
    },
    stopgap: { functionsDir: DEFAULT_FUNCTIONS_DIR },
  };
  return {
    "deno.json": `${JSON.stringify(config, null, 2)}\n`,
    [`${DEFAULT_FUNCTIONS_DIR}/hello.ts`]: `import { query, v } from "@stopgap/runtime";

/**
 * A query: read-only inside PostgreSQL. Deployed as the SQL function \`hello\`
 * (the file's path; a named export adds its own name: \`hello_<export>\`).
 *
 *   stopgap call hello --env dev --args '{"name": "Ada"}'
 */
export default query(
  v.object({ name: v.pipe(v.string(), v.minLength(1)) }),
  ({ name }) => ({ greeting: \`Hello, \${name}!\` }),
);
`,
    [`${DEFAULT_FUNCTIONS_DIR}/notes.ts`]: `import { mutation, query, v } from "@stopgap/runtime";

const TABLE = "stopgap_example_notes";

/** \`notes_add\`, a mutation: reads and writes in the caller's transaction. */
export const add = mutation(
  v.object({ text: v.pipe(v.string(), v.minLength(1), v.maxLength(500)) }),
  async ({ text }, ctx) => {
    await ctx.db.exec(\`create table if not exists \${TABLE} (id serial primary key, text text not null)\`);
    const [row] = await ctx.db.query(\`insert into \${TABLE} (text) values ($1) returning id\`, [text]);
    return { id: row.id as number };
  },
);

/** \`notes_count\`, a query: its ctx.db can only read. */
export const count = query(v.object({}), async (_args, ctx) => {
  const [{ exists }] = await ctx.db.query("select to_regclass($1) is not null as exists", [TABLE]);
  if (!exists) return { count: 0 };
  const [row] = await ctx.db.query(\`select count(*)::int as count from \${TABLE}\`);
  return { count: row.count as number };
});
`,
  };
}

/** The `init` command. */
export const init: Command = {
  name: "init",
  summary: "Scaffold a functions directory with an example query and mutation",
  help: `Usage: stopgap init [<dir>]

Creates, in <dir> (default: the current directory), a deno.json whose imports resolve
@stopgap/runtime and valibot (for the functions) and @stopgap/stopgap and postgres (for
the typed client), and ${DEFAULT_FUNCTIONS_DIR}/ with an example query (hello.ts) and
mutation (notes.ts). Existing files are never overwritten. Then:

  stopgap deploy --env dev
  stopgap call hello --env dev --args '{"name": "Ada"}'`,
  flags: {},
  maxArgs: 1,
  run: async (context) => {
    const dir = resolve(context.args[0] ?? ".");
    const report: InitReport = { dir, created: [], kept: [] };
    for (const [path, text] of Object.entries(files())) {
      const target = join(dir, path);
      await Deno.mkdir(dirname(target), { recursive: true });
      try {
        await Deno.writeTextFile(target, text, { createNew: true });
        report.created.push(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        report.kept.push(path);
      }
    }
    if (context.json) {
      printJson(report);
      return;
    }
    for (const path of report.created) console.log(`created ${path}`);
    for (const path of report.kept) console.log(`kept    ${path} (exists)`);
    if (report.kept.includes("deno.json")) {
      console.log(
        `Check that deno.json maps "@stopgap/runtime" and "valibot" (${denoJson.imports.valibot}) in its imports, ` +
          `and "@stopgap/stopgap" and "postgres" for the typed client.`,
      );
    }
    const cd = context.args[0] ? `cd ${shellQuote(context.args[0])} && ` : "";
    console.log(`Next: ${cd}${invocation()} deploy --env dev`);
  },
};
