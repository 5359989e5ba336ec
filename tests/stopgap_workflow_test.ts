/**
 * The release workflow end to end, as CLI subprocesses against the private cluster: `promote`
 * (the same artifacts, recorded, undone by rollback), protected environments (`env protect`),
 * drift made by hand in a live schema (`status`, and `deploy` refusing it without `--force`), and
 * `stats` with call tracking on and off.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, stopgapIn, tempProject } from "./_cli.ts";
import { type FreshDatabase, withDatabase } from "./harness.ts";

/** Deploys `app.version()` returning `n` to `env` with `--from-schema`; returns the deployment id. */
async function deployVersion(db: FreshDatabase, env: string, n: number, ...flags: string[]): Promise<number> {
  await db.sql.unsafe(`create schema if not exists app`);
  await db.sql.unsafe(`create or replace function app.version(args jsonb) returns jsonb language plts stable as $$
    export default () => ${n};
  $$`);
  const run = await ok(".", "deploy", "--env", env, "--from-schema", "app", ...flags, "--json", "--db", db.url);
  return JSON.parse(run.stdout).deploymentId;
}

async function liveArtifacts(db: FreshDatabase, env: string): Promise<string[]> {
  const { environments } = JSON.parse((await ok(".", "status", "--env", env, "--json", "--db", db.url)).stdout);
  return environments[0].functions.map((f: { artifactHash: string }) => f.artifactHash);
}

async function callVersion(db: FreshDatabase, env: string): Promise<number> {
  return Number((await ok(".", "call", "version", "--env", env, "--db", db.url)).stdout.trim());
}

Deno.test("promote deploys staging's exact artifacts to prod, records the promotion, and rollback undoes it", () =>
  withDatabase("workflow_promote", async (db) => {
    await db.sql`create extension stopgap cascade`;
    const staging1 = await deployVersion(db, "staging", 1, "--label", "v1");
    const first = JSON.parse(
      (await ok(".", "promote", "--from", "staging", "--to", "prod", "--label", "release-1", "--json", "--db", db.url))
        .stdout,
    );
    assert.equal(first.status, "promoted");
    assert.equal(first.fromDeploymentId, staging1);
    assert.deepEqual(await liveArtifacts(db, "prod"), await liveArtifacts(db, "staging"));
    assert.equal(await callVersion(db, "prod"), 1);

    const staging2 = await deployVersion(db, "staging", 2, "--label", "v2");
    const text = await ok(".", "promote", "--from", "staging", "--to", "prod", "--label", "release-2", "--db", db.url);
    assert.match(
      text.stdout,
      /^Promoted deployment \d+ of "staging" to "prod" as deployment \d+ \("release-2"\), replacing deployment \d+\.$/m,
    );
    assert.equal(await callVersion(db, "prod"), 2);

    const { deployments } = JSON.parse(
      (await ok(".", "deployments", "--env", "prod", "--json", "--db", db.url)).stdout,
    );
    assert.deepEqual(
      deployments.map((d: { label: string; promotedFrom: unknown }) => [d.label, d.promotedFrom]),
      [["release-2", { env: "staging", deploymentId: staging2 }], ["release-1", {
        env: "staging",
        deploymentId: staging1,
      }]],
    );
    const list = await ok(".", "deployments", "--env", "prod", "--db", db.url);
    assert.match(list.stdout, /release-1 .* promoted from staging deployment \d+/);

    await ok(".", "rollback", "--env", "prod", "--db", db.url);
    assert.equal(await callVersion(db, "prod"), 1);

    const again = JSON.parse(
      (await ok(".", "promote", "--from", "staging", "--to", "staging2", "--json", "--db", db.url)).stdout,
    );
    assert.equal(again.label, `staging-${staging2}`, "the default label names the source");
  }));

Deno.test("promote --check runs the checks against the promoted functions before the commit; a failing one promotes nothing", () =>
  withDatabase("workflow_promote_check", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "staging", 1, "--label", "v1");
    await ok(".", "promote", "--from", "staging", "--to", "prod", "--label", "release-1", "--db", db.url);
    await deployVersion(db, "staging", 2, "--label", "v2");
    await using project = await tempProject();
    const check = (expected: number) =>
      `export async function serves_${expected}({ call }: { call: (name: string) => Promise<unknown> }) {
        const got = await call("version");
        if (got !== ${expected}) throw new Error(\`version is \${got}, not ${expected}\`);
      }\n`;
    await Deno.writeTextFile(join(project.dir, "fails.ts"), check(3));
    await Deno.writeTextFile(join(project.dir, "passes.ts"), check(2));
    const args = ["promote", "--from", "staging", "--to", "prod", "--label", "release-2", "--db", db.url];
    const failed = await stopgapIn(project.dir, [...args, "--check", "fails.ts"]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /Check "serves_3" of fails\.ts failed: Error: version is 2, not 3/);
    assert.match(failed.stderr, /Nothing was promoted: deployment \d+ keeps serving "prod"/);
    assert.equal(await callVersion(db, "prod"), 1, "the failed check promoted nothing");

    const passed = await stopgapIn(project.dir, [...args, "--check", "passes.ts"]);
    assert.equal(passed.code, 0, passed.stderr);
    assert.match(passed.stdout, /1 check of passes\.ts passed before the commit/);
    assert.equal(await callVersion(db, "prod"), 2);
  }));

Deno.test("promote from an environment with no deployment fails and says so; usage errors exit 2", () =>
  withDatabase("workflow_promote_errors", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await db.sql`select stopgap.configure_environment('staging')`;
    const none = await stopgapIn(".", ["promote", "--from", "staging", "--to", "prod", "--db", db.url]);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, /environment "staging" has no active deployment to promote/);
    const unknown = await stopgapIn(".", ["promote", "--from", "nowhere", "--to", "prod", "--db", db.url]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /environment "nowhere" does not exist/);
    const same = await stopgapIn(".", ["promote", "--from", "prod", "--to", "prod", "--db", db.url]);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /--from and --to are both "prod"/);
    const missing = await stopgapIn(".", ["promote", "--to", "prod", "--db", db.url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing --from <env>/);
  }));

Deno.test("a protected environment takes only labelled deploys and promotions, and no dev mode; status shows it", () =>
  withDatabase("workflow_protect", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "staging", 1);
    const protect = await ok(".", "env", "protect", "prod", "--db", db.url);
    assert.equal(protect.stdout.trim(), `Environment "prod" is protected.`);

    await db.sql.unsafe(`create schema if not exists app`);
    const unlabelled = await stopgapIn(".", ["deploy", "--env", "prod", "--from-schema", "app", "--db", db.url]);
    assert.equal(unlabelled.code, 1);
    assert.match(unlabelled.stderr, /environment "prod" is protected: a deploy to it needs an explicit label/);
    assert.match(unlabelled.stderr, /hint: Pass --label <version>/);
    const promotion = await stopgapIn(".", ["promote", "--from", "staging", "--to", "prod", "--db", db.url]);
    assert.equal(promotion.code, 1);
    assert.match(promotion.stderr, /a promote to it needs an explicit label/);

    await deployVersion(db, "prod", 1, "--label", "v1");
    const status = await ok(".", "status", "--env", "prod", "--db", db.url);
    assert.match(status.stdout, /^prod \(protected\): deployment \d+ \("v1"\)/m);

    await using project = await tempProject();
    await ok(project.dir, "init");
    const dev = await stopgapIn(project.dir, ["dev", "--env", "prod", "--db", db.url]);
    assert.equal(dev.code, 1, dev.stderr);
    assert.match(dev.stderr, /environment "prod" is protected: stopgap dev does not deploy to it/);
    assert.match(dev.stderr, /pass --force/);

    await ok(".", "env", "unprotect", "prod", "--db", db.url);
    await deployVersion(db, "prod", 2);
    const bad = await stopgapIn(".", ["env", "guard", "prod", "--db", db.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown action "guard": use protect or unprotect/);
  }));

Deno.test("drift made by hand with CREATE OR REPLACE in the live schema: status shows it, deploy refuses it without --force", () =>
  withDatabase("workflow_drift", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "prod", 1, "--label", "v1");
    await db.sql.unsafe(
      `create or replace function live_prod.version(args jsonb) returns jsonb language plts stable as $$
      export default () => 99;
    $$`,
    );
    const status = await ok(".", "status", "--env", "prod", "--db", db.url);
    assert.match(status.stdout, /drift: the live schema was changed outside stopgap/);
    assert.match(status.stdout, /version +changed +its body is not the pointer to artifact sha256:[0-9a-f]{64}/);
    const json = JSON.parse((await ok(".", "status", "--env", "prod", "--json", "--db", db.url)).stdout);
    assert.deepEqual(json.environments[0].drift.map((d: { name: string; drift: string }) => [d.name, d.drift]), [[
      "version",
      "changed",
    ]]);
    const [{ drift }] = await db.sql`select count(*)::int as drift from stopgap.drift('prod')`;
    assert.equal(drift, 1, "the same report in SQL");

    await db.sql.unsafe(`create or replace function app.version(args jsonb) returns jsonb language plts stable as $$
      export default () => 2;
    $$`);
    const refused = await stopgapIn(".", [
      "deploy",
      "--env",
      "prod",
      "--from-schema",
      "app",
      "--label",
      "v2",
      "--db",
      db.url,
    ]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /the live schema of environment "prod" was changed outside stopgap:\n\s+version: changed: its body is not the pointer/,
    );
    assert.match(refused.stderr, /--force deploys anyway/);
    assert.equal(await callVersion(db, "prod"), 99, "nothing was deployed");

    await ok(".", "deploy", "--env", "prod", "--from-schema", "app", "--label", "v2", "--force", "--db", db.url);
    assert.equal(await callVersion(db, "prod"), 2);
    const after = JSON.parse((await ok(".", "status", "--env", "prod", "--json", "--db", db.url)).stdout);
    assert.deepEqual(after.environments[0].drift, [], "the deploy replaced the changed function");
  }));

Deno.test("stats counts calls per live function when track_functions is on, and says when it is off", () =>
  withDatabase("workflow_stats", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "prod", 1, "--label", "v1");
    const off = await ok(".", "stats", "--env", "prod", "--db", db.url);
    assert.match(off.stdout, /^Call tracking is off \(track_functions = 'none'\)/);
    assert.match(off.stdout, /version +query +\d+ +0 /);

    await db.sql.unsafe(`alter database ${db.name} set track_functions = 'pl'`);
    const caller = (await import("postgres")).default(db.url, { max: 1, onnotice: () => {} });
    try {
      for (let i = 0; i < 3; i++) await caller`select stopgap.call_fn('prod', 'version', '{}')`;
      await caller`select pg_stat_force_next_flush()`;
      await caller`select 1`;
    } finally {
      await caller.end();
    }
    const on = JSON.parse((await ok(".", "stats", "--env", "prod", "--json", "--db", db.url)).stdout);
    assert.equal(on.trackFunctions, "pl");
    assert.equal(on.functions.length, 1);
    assert.equal(on.functions[0].name, "version");
    assert.equal(on.functions[0].calls, 3);
    assert.ok(on.functions[0].meanMs > 0, JSON.stringify(on));
    const text = await ok(".", "stats", "--env", "prod", "--db", db.url);
    assert.doesNotMatch(text.stdout, /tracking is off/);

    const unknown = await stopgapIn(".", ["stats", "--env", "nowhere", "--db", db.url]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /environment "nowhere" does not exist/);
  }));
