/**
 * `stopgap dev` end to end, as a subprocess against the private cluster: it deploys at start and
 * after each save, the calls see the new code, errors leave it running, only the project's files
 * start a deploy, and SIGINT or SIGTERM end it with exit 0. The test waits on the lines it prints,
 * never on the clock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, startStopgap, tempProject } from "./_cli.ts";
import { withDatabase } from "./harness.ts";

/** `[16:30:01] ` before each cycle's line on stderr. */
const AT = String.raw`^\[\d\d:\d\d:\d\d\] `;

async function greeting(dir: string, url: string): Promise<string> {
  const run = await ok(dir, "call", "hello", "--env", "dev", "--args", '{"name":"Ada"}', "--db", url, "--json");
  return JSON.parse(run.stdout).greeting;
}

async function edit(dir: string, file: string, from: string | RegExp, to: string): Promise<void> {
  const path = join(dir, file);
  const text = await Deno.readTextFile(path);
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `${file} has no ${from}`);
  await Deno.writeTextFile(path, changed);
}

Deno.test("dev deploys at start and after each save, the calls see the new code, and SIGINT exits 0", () =>
  withDatabase("cli_dev", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    await using dev = startStopgap(dir, ["dev", "--env", "dev", "--db", db.url]);

    await dev.waitFor("stderr", /^Watching functions: each save deploys to "dev" \(Ctrl-C stops\)$/);
    const [, first] = await dev.waitFor(
      "stderr",
      new RegExp(`${AT}start: deployment (\\d+) live after \\d+\\.\\d\\d s \\(hello, notes_add, notes_count added\\)$`),
    );
    await dev.waitFor(
      "stdout",
      new RegExp(
        `^Deployed 3 functions from directory functions to "dev" as deployment ${first} \\("dev-[^"]+"\\)\\.$`,
      ),
    );
    await dev.waitFor("stdout", /^ {2}hello +query +added +functions\/hello\.ts#default$/);
    assert.equal(await greeting(dir, db.url), "Hello, Ada!");

    await edit(dir, "functions/hello.ts", "`Hello, ${name}!`", "`Hi, ${name}!`");
    const [, second] = await dev.waitFor(
      "stderr",
      new RegExp(
        `${AT}functions/hello\\.ts: deployment (\\d+) live \\d+\\.\\d\\d s after the save \\(hello changed\\)$`,
      ),
    );
    await dev.waitFor(
      "stdout",
      new RegExp(`as deployment ${second} \\("dev-[^"]+"\\), replacing deployment ${first}\\.$`),
    );
    await dev.waitFor("stdout", /^ {2}hello +query +changed +functions\/hello\.ts#default$/);
    await dev.waitFor("stdout", /^ {2}notes_add +mutation +unchanged +functions\/notes\.ts#add$/);
    assert.equal(await greeting(dir, db.url), "Hi, Ada!");

    dev.kill("SIGINT");
    const status = await dev.status;
    assert.equal(status.code, 0, dev.lines.stderr.join("\n"));
    assert.equal(dev.lines.stderr.at(-1), `Stopped; deployment ${second} serves "dev"`);
    assert.doesNotMatch(dev.lines.stderr.join("\n"), /Uncaught|^\s+at /m, "no stack trace");
    const [{ sessions }] = await db.sql`select count(*)::int as sessions from pg_stat_activity
      where datname = ${db.name} and pid <> pg_backend_pid()`;
    assert.equal(sessions, 0, "dev closed its connection");
    const labels = await db.sql`select label from stopgap.deployment order by id`;
    assert.equal(labels.length, 2);
    for (const { label } of labels) assert.match(label, /^dev-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }));

Deno.test("a type error while dev runs prints file:line:column, deploys nothing, and the fix deploys; SIGTERM exits 0", () =>
  withDatabase("cli_dev_error", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    await using dev = startStopgap(dir, ["dev", "--env", "dev", "--db", db.url]);
    const [, first] = await dev.waitFor("stderr", new RegExp(`${AT}start: deployment (\\d+) live`));

    // Line 11 of functions/hello.ts is `  ({ name }) => ({ greeting: ... }),`: the number is column 30.
    await edit(dir, "functions/hello.ts", "({ greeting: `Hello, ${name}!` })", "({ greeting: 42 as string })");
    await dev.waitFor("stderr", /^error: Type check failed:$/);
    await dev.waitFor("stderr", /^ {2}functions\/hello\.ts:11:30: TS2352 Conversion of type 'number' to type 'string'/);
    await dev.waitFor("stderr", /^hint: Fix the errors above and deploy again/);
    await dev.waitFor(
      "stderr",
      new RegExp(
        `${AT}functions/hello\\.ts: type check failed, nothing deployed \\(\\d+\\.\\d\\d s\\); ` +
          `deployment ${first} keeps serving$`,
      ),
    );
    assert.equal(await greeting(dir, db.url), "Hello, Ada!", "the previous deployment serves");

    await edit(dir, "functions/hello.ts", "({ greeting: 42 as string })", "({ greeting: `Fixed, ${name}!` })");
    await dev.waitFor("stderr", new RegExp(`${AT}functions/hello\\.ts: deployment \\d+ live .* \\(hello changed\\)$`));
    assert.equal(await greeting(dir, db.url), "Fixed, Ada!");

    dev.kill("SIGTERM");
    assert.equal((await dev.status).code, 0, dev.lines.stderr.join("\n"));
    assert.doesNotMatch(dev.lines.stderr.join("\n"), /Uncaught|^\s+at /m, "no stack trace");
  }));

/** One line of `stopgap dev --json`. */
interface Cycle {
  cycle: number;
  status: string;
  files: string[];
  ms: number;
  phases: Record<string, number>;
  result: { deploymentId: number; functions: { name: string; change: string }[] } | null;
  error: { code: string; diagnostics: unknown[] } | null;
}

Deno.test("dev --json: one object per deploy; imports inside the project count, editor and other files do not, a burst is one deploy", () =>
  withDatabase("cli_dev_json", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    await Deno.mkdir(join(dir, "shared"));
    await Deno.mkdir(join(dir, "functions/_lib"));
    await Deno.writeTextFile(join(dir, "shared/words.ts"), `export const word = "Hello";\n`);
    await Deno.writeTextFile(join(dir, "functions/_lib/mark.ts"), `export const mark = "!";\n`);
    await Deno.writeTextFile(
      join(dir, "functions/hello.ts"),
      `import { query, v } from "@stopgap/runtime";
import { word } from "../shared/words.ts";
import { mark } from "./_lib/mark.ts";

export default query(v.object({ name: v.string() }), ({ name }) => ({ greeting: \`\${word}, \${name}\${mark}\` }));
`,
    );
    await using dev = startStopgap(dir, ["dev", "--env", "dev", "--json", "--db", db.url]);
    const cycle = async (): Promise<Cycle> => JSON.parse((await dev.waitFor("stdout", /^\{.*\}$/))[0]);

    const first = await cycle();
    assert.equal(first.cycle, 1);
    assert.equal(first.status, "deployed");
    assert.deepEqual(first.files, []);
    assert.deepEqual(Object.keys(first.phases), [
      "debounce",
      "find",
      "check",
      "inspect",
      "bundle",
      "stage",
      "diff",
      "deploy",
    ]);
    assert.ok(first.ms >= first.phases.check, JSON.stringify(first));
    assert.equal(await greeting(dir, db.url), "Hello, Ada!");

    // A file outside the functions directory that a module imports.
    await Deno.writeTextFile(join(dir, "shared/words.ts"), `export const word = "Hi";\n`);
    const shared = await cycle();
    assert.equal(shared.cycle, 2);
    assert.deepEqual(shared.files, ["shared/words.ts"]);
    assert.equal(shared.status, "deployed");
    assert.equal(shared.result!.functions.find((fn) => fn.name === "hello")!.change, "changed");
    assert.equal(await greeting(dir, db.url), "Hi, Ada!");

    // Editors' temporary and backup files, a helper nothing imports, a file of the project outside
    // the functions, and a test start nothing: the next deploy names only the imported helper.
    await Deno.writeTextFile(join(dir, "functions/.hello.ts.swp"), "swap");
    await Deno.writeTextFile(join(dir, "functions/hello.ts~"), "backup");
    await Deno.writeTextFile(join(dir, "functions/4913"), "");
    await Deno.writeTextFile(join(dir, "functions/_lib/unused.ts"), "export const unused = 1;\n");
    await Deno.writeTextFile(join(dir, "functions/hello_test.ts"), "// a test\n");
    await Deno.writeTextFile(join(dir, "client.ts"), "// not a function\n");
    await Deno.writeTextFile(join(dir, "functions/_lib/mark.ts"), `export const mark = "?";\n`);
    const helper = await cycle();
    assert.deepEqual(helper.files, ["functions/_lib/mark.ts"]);
    assert.equal(await greeting(dir, db.url), "Hi, Ada?");

    // Two files saved together (a formatter, a checkout) are one deploy.
    for (const file of ["functions/hello.ts", "functions/notes.ts"]) {
      const path = join(dir, file);
      Deno.writeTextFileSync(path, `// moved down a line\n${Deno.readTextFileSync(path)}`);
    }
    const burst = await cycle();
    assert.deepEqual(burst.files, ["functions/hello.ts", "functions/notes.ts"]);
    assert.deepEqual(burst.result!.functions.map((fn) => [fn.name, fn.change]), [
      ["hello", "changed"],
      ["notes_add", "changed"],
      ["notes_count", "changed"],
    ]);

    // A failed cycle is a line too, with the error as --json prints it.
    await edit(dir, "functions/notes.ts", /^/, "const broken: number = 'text';\n");
    const failed = await cycle();
    assert.equal(failed.status, "failed");
    assert.equal(failed.result, null);
    assert.equal(failed.error!.code, "type_error");
    assert.deepEqual(failed.error!.diagnostics, [{
      file: "functions/notes.ts",
      line: 1,
      column: 7,
      code: "TS2322",
      message: "Type 'string' is not assignable to type 'number'.",
    }]);
    await dev.waitFor("stderr", /^ {2}functions\/notes\.ts:1:7: TS2322 /);

    dev.kill("SIGINT");
    assert.equal((await dev.status).code, 0, dev.lines.stderr.join("\n"));
    assert.equal(dev.lines.stdout.length, 5, "nothing but the five cycles on stdout");
    for (const line of dev.lines.stdout) JSON.parse(line);
    assert.doesNotMatch(dev.lines.stderr.join("\n"), /Watching|Stopped|^\[/m, "--json prints no progress lines");
  }));
