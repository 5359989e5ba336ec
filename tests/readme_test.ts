/**
 * The README's "Deploying a functions directory" walkthrough, run as written: its `sh` block runs as
 * one bash script, line after line, in a temporary `HOME` (where `./dev install-cli` puts `stopgap` and `stopgap init`
 * puts the project), against the harness's cluster, in the database the block creates.
 *
 * @module
 */

import { strict as assert } from "node:assert";
import { adminSql, databaseUrl } from "./harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const README = new URL("../README.md", import.meta.url);

/**
 * The first fenced `sh` block after the heading `heading` of `markdown`.
 *
 * @throws {Error} when the heading or the block is missing
 */
function shBlockAfter(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README.md has no heading "${heading}"`);
  const block = markdown.slice(start).match(/\n```sh\n([\s\S]*?)\n```\n/);
  assert.ok(block, `README.md has no sh block after "${heading}"`);
  return block[1];
}

/** The environment of the walk: nothing of the caller's database settings, so the block's own lines must set them. */
function walkEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    // ./dev keeps its Deno under $XDG_CACHE_HOME/stopgap and Deno its modules under $XDG_CACHE_HOME/deno: the
    // caller's, so the walk neither downloads Deno nor the npm packages again.
    XDG_CACHE_HOME: Deno.env.get("XDG_CACHE_HOME") || `${Deno.env.get("HOME")}/.cache`,
    // The cluster of the harness, which is the one ./dev runs for this checkout on that port.
    STOPGAP_PG_PORT: new URL(databaseUrl()).port,
    NO_COLOR: "1",
  };
  // PG_MAJOR: the walk's ./dev commands find the harness's cluster by its major too.
  for (const name of ["DENO_DIR", "STOPGAP_STATE_DIR", "PG_MAJOR", "LANG"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

Deno.test("the README's deploy walkthrough runs as written and the final stopgap call prints the greeting", async () => {
  const block = shBlockAfter(await Deno.readTextFile(README), "## Deploying a functions directory");
  const lines = block.split("\n").filter((line) => line.trim() !== "");
  assert.match(lines.at(-1)!, /^stopgap call hello /, "the walkthrough ends with stopgap call hello");
  const database = block.match(/^\.\/dev db create (\w+)/m)?.[1];
  assert.ok(database, "the walkthrough makes its database with ./dev db create <name>");

  const admin = adminSql();
  // A database of that name from a developer's own walk is moved aside, not dropped, and put back afterwards;
  // when it cannot be moved (open sessions), the test fails before touching it.
  let saved: string | undefined;
  try {
    if ((await admin`select 1 from pg_database where datname = ${database}`).length > 0) {
      saved = `${database}_saved_${crypto.randomUUID().slice(0, 8)}`;
      await admin`alter database ${admin(database)} rename to ${admin(saved)}`;
    }
  } catch (error) {
    await admin.end({ timeout: 5 });
    throw error;
  }
  const home = await Deno.makeTempDir({ prefix: "stopgap-readme-home-" });
  try {
    // bash stops at the first failing line and names it; the lines themselves are the README's.
    const script = `set -euo pipefail
trap 'echo "README line failed (exit $?): $BASH_COMMAND" >&2' ERR
${block}
`;
    const output = await new Deno.Command("bash", {
      args: ["-c", script],
      cwd: ROOT,
      clearEnv: true,
      env: walkEnv(home),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `the walkthrough failed\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    assert.ok(
      stdout.trimEnd().endsWith(`{\n  "greeting": "Hello, Ada!"\n}`),
      `the final stopgap call did not print the greeting\nstdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  } finally {
    await admin`drop database if exists ${admin(database)} with (force)`;
    if (saved) await admin`alter database ${admin(saved)} rename to ${admin(database)}`;
    await admin.end({ timeout: 5 });
    await Deno.remove(home, { recursive: true });
  }
});
