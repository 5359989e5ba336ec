/**
 * The exact text of the CLI's messages: hints that name CLI commands (not SQL), usage errors, the
 * `--db` check, help alignment, counts, the failure column and `init`'s next step. The CLI runs as
 * a subprocess against the private cluster.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isPostgresUrl } from "../commands/_db.ts";
import { ok, type Run, stopgapIn, tempProject } from "./_cli.ts";
import { type FreshDatabase, withDatabase } from "./harness.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** stderr from the `error:` line on: the progress lines of deploy and diff come before it. */
function errorText(run: Run): string {
  const lines = run.stderr.split("\n");
  return lines.slice(lines.findIndex((line) => line.startsWith("error: "))).join("\n").trimEnd();
}

/** Deploys `app.answer()` (returning `n`) to `env` with `--from-schema`: nothing to compile. */
async function deployAnswer(db: FreshDatabase, env: string, n: number, ...flags: string[]): Promise<Run> {
  await db.sql.unsafe(`create schema if not exists app`);
  await db.sql.unsafe(`create or replace function app.answer(args jsonb) returns jsonb language plts stable as $$
    export default () => ${n};
  $$`);
  return await ok(".", "deploy", "--env", env, "--from-schema", "app", ...flags, "--db", db.url);
}

Deno.test("an unknown environment: the hint names stopgap deploy and stopgap status, and no stopgap internals", () =>
  withDatabase("msg_env", async (db) => {
    await db.sql`create extension stopgap cascade`;
    const expected = `error: environment "nope" does not exist (SQLSTATE 42704)
hint: stopgap deploy --env nope creates it; stopgap status lists the environments`;
    for (const command of ["status", "deployments", "rollback", "prune", "types"]) {
      const run = await stopgapIn(".", [command, "--env", "nope", "--db", db.url]);
      assert.equal(run.code, 1, command);
      assert.equal(run.stderr.trimEnd(), expected, command);
    }
    const json = await stopgapIn(".", ["status", "--env", "nope", "--json", "--db", db.url]);
    const report = JSON.parse(json.stdout);
    assert.equal(report.error.code, "42704");
    assert.equal(report.error.hint, "stopgap deploy --env nope creates it; stopgap status lists the environments");
  }));

Deno.test("a missing function, an unknown deployment and too many steps: the hints name stopgap status and stopgap deployments", () =>
  withDatabase("msg_hints", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployAnswer(db, "prod", 1);

    const call = await stopgapIn(".", ["call", "nope", "--env", "prod", "--db", db.url]);
    assert.equal(call.code, 1);
    assert.equal(
      call.stderr.trimEnd(),
      `error: function "nope" is not in the active deployment of environment "prod" (SQLSTATE 42883)
hint: stopgap status --env prod lists the functions it serves`,
    );

    const to = await stopgapIn(".", ["rollback", "--env", "prod", "--to", "999", "--db", db.url]);
    assert.equal(to.code, 1);
    assert.equal(
      to.stderr.trimEnd(),
      `error: deployment 999 does not exist in environment "prod" (SQLSTATE 42704)
hint: stopgap deployments --env prod lists its deployments`,
    );

    const steps = await stopgapIn(".", ["rollback", "--env", "prod", "--steps", "2", "--db", db.url]);
    assert.equal(steps.code, 1);
    assert.equal(
      steps.stderr.trimEnd(),
      `error: cannot roll back environment "prod" by 2 steps: only 0 earlier deployments are there to return to (SQLSTATE 55000)
    detail: Deployment 1 is active; rolling back past the first deployment is not possible.
hint: stopgap deployments --env prod lists its deployments`,
    );
  }));

Deno.test("a failed deploy: the multi-line hint names stopgap deployments; its note column has no leading colon", () =>
  withDatabase("msg_failed", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployAnswer(db, "prod", 1, "--label", "v1");
    await db.sql`create schema empty`;

    const run = await stopgapIn(".", [
      "deploy",
      "--env",
      "prod",
      "--from-schema",
      "empty",
      "--label",
      "v2",
      "--db",
      db.url,
    ]);
    assert.equal(run.code, 1);
    assert.equal(
      errorText(run),
      `error: deploy to environment "prod" failed: source schema "empty" has no plts functions to deploy (SQLSTATE 22023)
hint: Create the functions as (args jsonb) RETURNS jsonb LANGUAGE plts in that schema first.
      Nothing changed: deployment 1 keeps serving environment "prod". The attempt is recorded as failed deployment 2: stopgap deployments --env prod shows it`,
    );

    const list = await ok(".", "deployments", "--env", "prod", "--db", db.url);
    const [header, failed] = list.stdout.split("\n");
    const failure = header.indexOf("note");
    assert.ok(failure > 0, header);
    assert.equal(failed.slice(failure), `source schema "empty" has no plts functions to deploy`);
    assert.match(failed, /^2 +v2 +failed +0 /);
  }));

Deno.test("a usage error prints the message, the command's usage line and stopgap help <command>, not the whole help", async () => {
  const cases: [string[], string][] = [
    [
      ["deploy"],
      `error: Missing --env <name> (or set STOPGAP_ENV)
Usage: stopgap deploy --env <env> [--dir <dir> | --from-schema <schema>] [--label <label>] [--prune] [--check <file.ts>] [--dry-run] [--force]
hint: stopgap help deploy shows every flag`,
    ],
    [
      ["status", "extra"],
      `error: Unexpected argument "extra"
Usage: stopgap status [--env <env>]
hint: stopgap help status shows every flag`,
    ],
    [
      ["version", "--frobnicate"],
      `error: Unknown option '--frobnicate'
Usage: stopgap version [--db <url>] [--json]
hint: stopgap help version shows every flag`,
    ],
    [
      ["call", "--env", "dev"],
      `error: Missing the function name
Usage: stopgap call <function> --env <env> [--args '<json>']
hint: stopgap help call shows every flag`,
    ],
    [
      ["frobnicate"],
      `error: Unknown command "frobnicate"
Usage: stopgap <command> [flags]
hint: stopgap help lists the commands`,
    ],
    [
      ["help", "frobnicate"],
      `error: Unknown command "frobnicate"
Usage: stopgap <command> [flags]
hint: stopgap help lists the commands`,
    ],
  ];
  for (const [args, expected] of cases) {
    const run = await stopgapIn(".", args);
    assert.equal(run.code, 2, args.join(" "));
    assert.equal(run.stderr.trimEnd(), expected, args.join(" "));
    assert.equal(run.stdout, "", args.join(" "));
  }
  const json = await stopgapIn(".", ["deploy", "--json"]);
  assert.equal(json.code, 2);
  assert.equal(JSON.parse(json.stdout).error.hint, "stopgap help deploy shows every flag");
});

Deno.test("--db that is not a PostgreSQL URL exits 2 before connecting; so does such a DATABASE_URL", async () => {
  for (const url of ["notaurl", "mysql://127.0.0.1/x", "postgres://[bad"]) {
    const run = await stopgapIn(".", ["status", "--db", url]);
    assert.equal(run.code, 2, url);
    assert.equal(
      run.stderr.trimEnd(),
      `error: --db "${url}" is not a PostgreSQL URL (postgres://user@host:port/database)
Usage: stopgap status [--env <env>]
hint: stopgap help status shows every flag`,
      url,
    );
  }
  const env = await stopgapIn(".", ["status"], { DATABASE_URL: "notaurl" });
  assert.equal(env.code, 2);
  assert.equal(
    env.stderr.trimEnd(),
    `error: DATABASE_URL "notaurl" is not a PostgreSQL URL (postgres://user@host:port/database)
hint: Set DATABASE_URL to a postgres:// URL, or pass --db <url>`,
  );
  assert.ok(
    isPostgresUrl("postgresql://app:secret@db1:5432,db2:5433/app?sslmode=require"),
    "several hosts, as postgres.js",
  );
});

Deno.test("in every command's help, the flag descriptions start in one column", async () => {
  const deploy = await ok(".", "help", "deploy");
  assert.match(deploy.stdout, /^ {2}-e, --env <name> {8}The environment, e.g\. prod \(default: STOPGAP_ENV\)$/m);
  const help = await ok(".", "help");
  const commands = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]).filter((c) => c !== "help");
  assert.ok(commands.length >= 10, help.stdout);
  for (const command of commands) {
    const run = await ok(".", "help", command);
    const own = run.stdout.split("\nGlobal flags:")[0];
    for (const line of own.split("\n").filter((l) => /^ {2}(-|<)/.test(l))) {
      // The flag, at least two spaces, then the description at column 26.
      assert.equal(/^ {2}\S.*?\S {2,}(?=\S)/.exec(line)?.[0].length, 26, `${command}: ${line}`);
    }
  }
});

Deno.test("counts agree with their nouns and verbs: one function, one deployment", () =>
  withDatabase("msg_counts", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployAnswer(db, "prod", 1, "--label", "v1");
    const again = await deployAnswer(db, "prod", 1, "--label", "v2");
    assert.equal(
      again.stdout.split("\n")[0],
      `Nothing to deploy: "prod" already runs this function (deployment 1); label "v2" was not used.`,
    );
    const status = await ok(".", "status", "--env", "prod", "--db", db.url);
    assert.match(status.stdout, /^ {2}live schema live_prod, execute role \S+, 1 deployment \(0 failed\)$/m);

    await using project = await tempProject();
    await ok(project.dir, "init");
    await ok(project.dir, "deploy", "--env", "dev", "--db", db.url);
    await Deno.remove(join(project.dir, "functions/hello.ts"));
    const removed = await ok(project.dir, "deploy", "--env", "dev", "--db", db.url);
    assert.match(
      removed.stdout,
      /^1 function of the previous deployment stays in the live schema until "stopgap prune --env dev"\.$/m,
    );
  }));

Deno.test("init's next step is the command that runs this CLI: deno run -A <cli.ts>, or what STOPGAP_COMMAND says", async () => {
  await using project = await tempProject();
  const bin = join(project.dir, "bin");
  await Deno.mkdir(bin);
  await Deno.symlink(Deno.execPath(), join(bin, "deno"));

  const onPath = await stopgapIn(project.dir, ["init", "my app"], { PATH: bin });
  assert.equal(onPath.code, 0, onPath.stderr);
  assert.equal(onPath.stdout.split("\n").at(-2), `Next: cd 'my app' && deno run -A ${CLI} deploy --env dev`);

  const noDeno = await stopgapIn(join(project.dir, "my app"), ["init"], { PATH: "/nonexistent" });
  assert.equal(noDeno.stdout.split("\n").at(-2), `Next: ${Deno.execPath()} run -A ${CLI} deploy --env dev`);

  const shim = await stopgapIn(project.dir, ["init", "other"], { STOPGAP_COMMAND: "stopgap" });
  assert.equal(shim.stdout.split("\n").at(-2), "Next: cd other && stopgap deploy --env dev");
});

Deno.test("init through the ./dev install-cli shim says stopgap deploy when the shim is on PATH, else its path", async () => {
  await using project = await tempProject();
  const bin = join(project.dir, "bin");
  const dev = new URL("../dev", import.meta.url).pathname;
  const path = Deno.env.get("PATH") ?? "";
  const installed = await new Deno.Command(dev, {
    args: ["install-cli"],
    env: { STOPGAP_BIN_DIR: bin },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(installed.code, 0, new TextDecoder().decode(installed.stderr));
  const shim = async (args: string[], env: Record<string, string>) => {
    const output = await new Deno.Command(join(bin, "stopgap"), { args, cwd: project.dir, env, stdout: "piped" })
      .output();
    return new TextDecoder().decode(output.stdout).split("\n").at(-2);
  };
  assert.equal(await shim(["init", "a"], { PATH: `${bin}:${path}` }), "Next: cd a && stopgap deploy --env dev");
  assert.equal(await shim(["init", "b"], { PATH: path }), `Next: cd b && ${bin}/stopgap deploy --env dev`);
});
