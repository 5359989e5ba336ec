import { strict as assert } from "node:assert";
import denoJson from "../deno.json" with { type: "json" };
import { stopgapImports } from "../commands/init.ts";
import { stopgap, stopgapIn } from "./_cli.ts";
import { adminSql, databaseUrl, withDatabase } from "./harness.ts";

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

Deno.test("./dev install-cli writes a stopgap script into STOPGAP_BIN_DIR that runs cli.ts with the Deno of ./dev deno", async () => {
  const dev = new URL("../dev", import.meta.url).pathname;
  const decoder = new TextDecoder();
  const run = async (command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) => {
    const output = await new Deno.Command(command, { args, ...options, stdout: "piped", stderr: "piped" }).output();
    return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
  };
  const dir = await Deno.makeTempDir({ prefix: "stopgap-bin-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "stopgap-cwd-" });
  try {
    const bin = `${dir}/bin`;
    const path = Deno.env.get("PATH") ?? "";
    const installed = await run(dev, ["install-cli"], { env: { STOPGAP_BIN_DIR: bin, PATH: path } });
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, new RegExp(`^installed ${bin}/stopgap \\(runs .*/cli\\.ts with .*\\)$`, "m"));
    assert.match(installed.stdout, new RegExp(`^${bin} is not on PATH: add it with`, "m"));

    // Through the shim, from another directory, as a user runs it.
    const version = await run(`${bin}/stopgap`, ["version"], { cwd: elsewhere, env: { NO_COLOR: "1" } });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^stopgap CLI ${denoJson.version.replaceAll(".", "\\.")}$`, "m"));

    // The shim's Deno is the one `./dev deno` runs.
    const shim = await Deno.readTextFile(`${bin}/stopgap`);
    const deno = shim.match(/^exec (\S+) run -A /m)?.[1];
    assert.ok(deno, shim);
    const devDeno = await run(dev, ["deno", "eval", "console.log(Deno.execPath())"]);
    assert.equal(await Deno.realPath(deno), await Deno.realPath(devDeno.stdout.trim()));

    // Installing again replaces its own script, and says when the directory is on PATH.
    const again = await run(dev, ["install-cli"], { env: { STOPGAP_BIN_DIR: bin, PATH: `${bin}:${path}` } });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^${bin} is on PATH`, "m"));

    // A stopgap it did not write is left alone.
    await Deno.writeTextFile(`${bin}/stopgap`, "#!/bin/sh\necho mine\n");
    const foreign = await run(dev, ["install-cli"], { env: { STOPGAP_BIN_DIR: bin } });
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /was not written by \.\/dev install-cli; not replacing it/);
    assert.equal(await Deno.readTextFile(`${bin}/stopgap`), "#!/bin/sh\necho mine\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("./dev db create makes a database with plts and stopgap, again leaves it as it is, and ./dev env points at it", async () => {
  const dev = new URL("../dev", import.meta.url).pathname;
  const decoder = new TextDecoder();
  const env = { STOPGAP_PG_PORT: new URL(databaseUrl()).port };
  const run = async (...args: string[]) => {
    const output = await new Deno.Command(dev, { args, env, stdout: "piped", stderr: "piped" }).output();
    return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
  };
  const name = `t_dev_create_${crypto.randomUUID().slice(0, 8)}`;
  const admin = adminSql();
  try {
    const created = await run("db", "create", name);
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stdout,
      new RegExp(`^database ${name} created, with plts \\S+, stopgap \\S+: postgres://`, "m"),
    );
    assert.match(
      created.stdout,
      new RegExp(`^use it with: eval "\\$\\((PG_MAJOR=\\d+ )?STOPGAP_PG_PORT=\\d+ \\./dev env ${name}\\)"$`, "m"),
    );
    const again = await run("db", "create", name);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^database ${name} exists, with plts \\S+, stopgap \\S+:`, "m"));

    const printed = await run("env", name);
    assert.equal(printed.code, 0, printed.stderr);
    const line = printed.stdout.trim();
    assert.match(
      line,
      /^export PG_MAJOR=\d+ STOPGAP_PG_PORT=\d+ DATABASE_URL=\S+ PGHOST=\S+ PGPORT=\d+ PGUSER=\S+ PGDATABASE=\S+$/,
    );
    // The major and the port are exported too, so that later ./dev commands stay on the same cluster.
    assert.equal(line.match(/PG_MAJOR=(\d+)/)![1], Deno.env.get("PG_MAJOR") ?? "15");
    assert.equal(line.match(/STOPGAP_PG_PORT=(\d+)/)![1], env.STOPGAP_PG_PORT);
    const url = line.match(/DATABASE_URL=(\S+)/)![1];
    assert.equal(new URL(url).pathname, `/${name}`);
    assert.equal(new URL(url).port, env.STOPGAP_PG_PORT);
    assert.match(line, new RegExp(`PGDATABASE=${name}$`));
    // The CLI, given that URL, finds both extensions.
    const version = await stopgap("version", "--json", "--db", url);
    assert.equal(version.code, 0, version.stderr);
    assert.deepEqual(Object.keys(JSON.parse(version.stdout).server.extensions), ["plts", "stopgap"]);
    assert.ok(Object.values(JSON.parse(version.stdout).server.extensions).every((v) => typeof v === "string"));

    const bad = await run("db", "create", "My-App");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: invalid database name 'My-App'$/m);
    assert.equal((await run("db", "create")).code, 1);
  } finally {
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end({ timeout: 5 });
  }
});

/** The environment of a CLI run with no database settings: `DATABASE_URL` and every `PG*` variable it reads are empty. */
const NO_DATABASE = { DATABASE_URL: "", PGHOST: "", PGPORT: "", PGDATABASE: "", PGUSER: "" };

Deno.test("without --db, DATABASE_URL or PG* variables, every command that needs a database exits 2 and says how to configure one", async () => {
  const commands = [
    ["status"],
    ["deploy", "--env", "dev"],
    ["dev", "--env", "dev"],
    ["diff", "--env", "dev"],
    ["deployments", "--env", "dev"],
    ["rollback", "--env", "dev"],
    ["prune", "--env", "dev"],
    ["call", "hello", "--env", "dev"],
    ["types", "--env", "dev"],
  ];
  for (const args of commands) {
    const run = await stopgapIn(new URL("../", import.meta.url), args, NO_DATABASE);
    assert.equal(run.code, 2, `stopgap ${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, /^error: No database configured$/m, args.join(" "));
    assert.match(run.stderr, /^hint: Pass --db postgres:\/\/.* or set DATABASE_URL .*\.\/dev db create my_app/m);
    assert.doesNotMatch(run.stderr, /Cannot connect|SQLSTATE/, args.join(" "));
    assert.equal(run.stdout, "");
  }
  const json = await stopgapIn(new URL("../", import.meta.url), ["status", "--json"], NO_DATABASE);
  assert.equal(json.code, 2);
  const { error } = JSON.parse(json.stdout);
  assert.equal(error.code, "no_database");
  assert.equal(error.exitCode, 2);
  assert.match(error.hint, /DATABASE_URL/);
});

Deno.test("version without a database prints that none is configured, with the same hint, and exits 0", async () => {
  const run = await stopgapIn(new URL("../", import.meta.url), ["version"], NO_DATABASE);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^server: no database configured$/m);
  assert.match(run.stdout, /^hint: Pass --db postgres:\/\/.* or set DATABASE_URL .*\.\/dev db create my_app/m);
});

Deno.test("on a database without the stopgap extension, the commands exit 1 naming it and how to create it", () =>
  withDatabase("cli_no_ext", async (db) => {
    for (const args of [["status"], ["deploy", "--env", "dev"], ["call", "hello", "--env", "dev"]]) {
      const run = await stopgap(...args, "--db", db.url);
      assert.equal(run.code, 1, `stopgap ${args.join(" ")}: ${run.stderr}`);
      assert.match(
        run.stderr,
        new RegExp(`^error: The database "${db.name}" at 127\\.0\\.0\\.1:\\d+ has no stopgap extension$`, "m"),
      );
      assert.match(
        run.stderr,
        new RegExp(`^hint: Run CREATE EXTENSION stopgap CASCADE in database "${db.name}" as a superuser .*plts`, "m"),
      );
      assert.doesNotMatch(run.stderr, /SQLSTATE|does not exist/);
    }
    const json = await stopgap("status", "--json", "--db", db.url);
    assert.equal(JSON.parse(json.stdout).error.code, "no_extension");

    // With plts alone, the message says so; CASCADE in the hint still fits.
    await db.sql`create extension plts`;
    const run = await stopgap("status", "--db", db.url);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /has no stopgap extension \(it has plts \d+\.\d+\.\d+\)$/m);

    // After the hint's statement, the same command works.
    await db.sql`create extension stopgap cascade`;
    const ok = await stopgap("status", "--db", db.url);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /No environments yet/);
  }));
