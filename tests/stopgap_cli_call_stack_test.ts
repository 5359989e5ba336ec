/**
 * `stopgap call` of a function that throws prints the stack plts maps through the deployed body's
 * source map: frames name the project's file at the line and column of the TypeScript source, and a
 * bundled npm package by its name, version and file, not positions inside the bundle. The stack is
 * the server error's DETAIL, which the CLI prints as `detail:` and `--json` reports as `detail`. The
 * CLI runs as a subprocess against the private cluster; the project is deployed with `stopgap deploy`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, type Run, stopgapIn, tempProject } from "./_cli.ts";
import { type FreshDatabase, withDatabase } from "./harness.ts";

/** The decimal.js the npm proofs pin (`tests/fixtures/npm_packages/decimal.ts`), so Deno's cache has it. */
const DECIMAL = { name: "decimal.js", version: "10.6.0", file: "decimal.mjs" };

/** The one function module of the project: `fail_own` throws in this file, `fail_pkg` inside decimal.js. */
const SOURCE = `import { query, v } from "@stopgap/runtime";
import { Decimal } from "decimal.js";

/** Its own throw: the top frame of fail_own's stack. */
function atMostOne(n: number): number {
  const message = \`n must be at most 1, got \${n}\`;
  if (n > 1) {
    throw new RangeError(message);
  }
  return n;
}

export const own = query(v.object({ n: v.number() }), ({ n }) => ({ n: atMostOne(n) }));

// decimal.js throws "[DecimalError] Invalid argument" for a string that is not a number.
export const pkg = query(v.object({ value: v.string() }), ({ value }) => ({ sum: new Decimal(value).plus(1).toString() }));
`;

/** The module's path in the project, as the stack names it. */
const FILE = "functions/fail.ts";

/**
 * The 1-based position, in `text` (the file `file`), QuickJS gives a `throw new X(...)` or a call:
 * that of the last identifier the expression reads, here `at` (the expression's last argument), on
 * the one line that holds `expression`.
 */
function positionIn(text: string, file: string, expression: string, at: string): string {
  const lines = text.split("\n");
  const line = lines.findIndex((line) => line.includes(expression));
  assert.ok(line >= 0 && lines.findLastIndex((line) => line.includes(expression)) === line, expression);
  const column = lines[line].indexOf(expression) + expression.lastIndexOf(at);
  return `${file}:${line + 1}:${column + 1}`;
}

/** {@linkcode positionIn} of {@linkcode SOURCE}. */
function positionOf(expression: string, at: string): string {
  return positionIn(SOURCE, FILE, expression, at);
}

/** decimal.js's own `decimal.mjs`, as Deno's npm cache holds it (`deno info --json` names the cache). */
async function decimalFile(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).output();
  const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
  const { name, version, file } = DECIMAL;
  return await Deno.readTextFile(join(npmCache, "registry.npmjs.org", name, version, file));
}

/** A project holding only {@linkcode SOURCE}, deployed to environment `dev` of a fresh database. */
function withDeployed(
  label: string,
  fn: (call: (name: string, args: unknown, ...flags: string[]) => Promise<Run>) => Promise<void>,
) {
  return withDatabase(label, async (db: FreshDatabase) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    await Deno.remove(join(dir, "functions"), { recursive: true });
    await Deno.mkdir(join(dir, "functions"));
    await Deno.writeTextFile(join(dir, FILE), SOURCE);
    const configPath = join(dir, "deno.json");
    const config = JSON.parse(await Deno.readTextFile(configPath));
    config.imports[DECIMAL.name] = `npm:${DECIMAL.name}@${DECIMAL.version}`;
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));
    await ok(dir, "deploy", "--env", "dev", "--db", db.url);
    await fn((name, args, ...flags) =>
      stopgapIn(dir, ["call", name, "--env", "dev", "--args", JSON.stringify(args), ...flags, "--db", db.url])
    );
  });
}

/** fail_own's stack: the throw in atMostOne, then the handler's call of it. */
const OWN_STACK = [
  `    at atMostOne (${positionOf("throw new RangeError(message)", "message")})`,
  `    at <anonymous> (${positionOf("({ n: atMostOne(n) })", "n")})`,
].join("\n");

Deno.test("a throw in the project's file: stopgap call prints the stack at the TypeScript line and column of the throw and of its call", () =>
  withDeployed("call_stack_own", async (call) => {
    const run = await call("fail_own", { n: 5 });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "");
    const [throwFrame, callFrame] = OWN_STACK.split("\n");
    assert.equal(
      run.stderr.trimEnd(),
      `error: RangeError: n must be at most 1, got 5 (SQLSTATE P0001)
    detail: ${throwFrame}
            ${callFrame}`,
    );
  }));

Deno.test("a throw inside a bundled npm package: the frames name the package's file, then the project's call into it", () =>
  withDeployed("call_stack_npm", async (call) => {
    const run = await call("fail_pkg", { value: "not a number" }, "--json");
    assert.equal(run.code, 1, run.stderr);
    const { error } = JSON.parse(run.stdout);
    assert.equal(error.message, "Error: [DecimalError] Invalid argument: not a number");
    assert.equal(error.code, "P0001");
    const frames: string[] = error.detail.split("\n");
    const last = frames.pop();
    assert.equal(last, `    at <anonymous> (${positionOf("new Decimal(value)", "value")})`, error.detail);
    // decimal.js's own frames, at the lines and columns of decimal.mjs itself (not of the text
    // `deno bundle` re-printed it as): parseOther's throw, then the Decimal constructor's call of
    // it (the constructor named as esbuild renamed it).
    const decimal = await decimalFile();
    const npm = `npm:${DECIMAL.name}@${DECIMAL.version}/${DECIMAL.file}`;
    assert.equal(frames.length, 2, error.detail);
    assert.equal(
      frames[0],
      `    at parseOther (${positionIn(decimal, npm, "throw Error(invalidArgument + str)", "str")})`,
      error.detail,
    );
    assert.match(frames[1], /^ {4}at Decimal\S* \(/, error.detail);
    assert.equal(
      frames[1].replace(/^ {4}at \S+ /, ""),
      `(${positionIn(decimal, npm, "parseOther(x, v)", "v")})`,
      error.detail,
    );
    assert.ok(!/\.js:\d+|fail_pkg/.test(error.detail), `no position inside the bundle: ${error.detail}`);
    assert.ok(run.stderr.includes(`detail: ${frames[0]}\n`), run.stderr);
  }));

Deno.test("--json: the error report's detail is the same mapped stack, with the server's SQLSTATE as code", () =>
  withDeployed("call_stack_json", async (call) => {
    const run = await call("fail_own", { n: 2 }, "--json");
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: {
        message: "RangeError: n must be at most 1, got 2",
        exitCode: 1,
        code: "P0001",
        hint: null,
        detail: OWN_STACK,
        diagnostics: [],
        collisions: [],
      },
    });
  }));
