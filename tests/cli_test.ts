import { strict as assert } from "node:assert";
import denoJson from "../deno.json" with { type: "json" };
import { stopgapImports } from "../commands/init.ts";
import { stopgap } from "./_cli.ts";
import { withDatabase } from "./harness.ts";

Deno.test("help exits 0 and prints the usage and the commands on stdout", async () => {
  const run = await stopgap("help");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Usage: stopgap <command>/);
  assert.match(run.stdout, /^ {2}version /m);
  assert.equal(run.stderr, "");
});

Deno.test("version --help exits 0 and prints the command's help on stdout", async () => {
  const run = await stopgap("version", "--help");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Usage: stopgap version/);
  assert.equal(run.stderr, "");
});

Deno.test("an unknown command exits 2 and names it on stderr with the usage", async () => {
  const run = await stopgap("frobnicate");
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Unknown command "frobnicate"/);
  assert.match(run.stderr, /Usage: stopgap <command>/);
  assert.equal(run.stdout, "");
});

Deno.test("an unknown flag exits 2 and names it on stderr", async () => {
  const run = await stopgap("version", "--frobnicate");
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--frobnicate/);
  assert.equal(run.stdout, "");
});

Deno.test("version --json prints the CLI version and reports plts and stopgap as not installed in a fresh database", () =>
  withDatabase("cli", async (db) => {
    const run = await stopgap("version", "--json", "--db", db.url);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.cli, denoJson.version);
    assert.match(report.server.postgres, /^\d+/);
    assert.deepEqual(report.server.extensions, { plts: null, stopgap: null });
  }));

Deno.test("version exits 3 and names the host and port when PostgreSQL cannot be reached", async () => {
  const run = await stopgap("--db", "postgres://postgres@127.0.0.1:1/x", "version");
  assert.equal(run.code, 3);
  assert.match(run.stderr, /Cannot connect to PostgreSQL at 127\.0\.0\.1:1\b/);
  assert.match(run.stderr, /\.\/dev db start/);
  assert.equal(run.stdout, "");
});

Deno.test("init maps @stopgap/* to the checkout's files from source, and to the JSR package from the compiled binary or JSR", () => {
  assert.equal(Deno.build.standalone, false);
  assert.deepEqual(stopgapImports(new URL("../commands/init.ts", import.meta.url), false), {
    "@stopgap/runtime": new URL("../runtime/mod.ts", import.meta.url).href,
    "@stopgap/stopgap": new URL("../mod.ts", import.meta.url).href,
  });
  const jsr = {
    "@stopgap/runtime": `jsr:@stopgap/stopgap@${denoJson.version}/runtime`,
    "@stopgap/stopgap": `jsr:@stopgap/stopgap@${denoJson.version}`,
  };
  // In a `deno compile`d binary the modules have file: URLs of its embedded file system, which no
  // project can import from.
  assert.deepEqual(stopgapImports("file:///tmp/deno-compile-stopgap/stopgap/commands/init.ts", true), jsr);
  assert.deepEqual(stopgapImports(`https://jsr.io/@stopgap/stopgap/${denoJson.version}/commands/init.ts`, false), jsr);
});
