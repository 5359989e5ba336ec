/**
 * `stopgap rollback --to <id>` end to end, as a subprocess against the private cluster: an earlier
 * deployment, the active one, another environment's and an unknown id.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { ok, stopgapIn } from "./_cli.ts";
import { type FreshDatabase, withDatabase } from "./harness.ts";

/** Deploys `app.version()` returning `n` to `env` with `--from-schema` (nothing to compile); returns the id. */
async function deployVersion(db: FreshDatabase, env: string, n: number): Promise<number> {
  await db.sql.unsafe(`create schema if not exists app`);
  await db.sql.unsafe(`create or replace function app.version(args jsonb) returns jsonb language plts stable as $$
    export default () => ${n};
  $$`);
  const run = await ok(
    ".",
    "deploy",
    "--env",
    env,
    "--from-schema",
    "app",
    "--label",
    `v${n}`,
    "--json",
    "--db",
    db.url,
  );
  return JSON.parse(run.stdout).deploymentId;
}

async function serving(sql: postgres.Sql, env: string): Promise<{ id: number; version: number }> {
  const [row] = await sql.unsafe(
    `select (select active_deployment_id from stopgap.environment where env = $1) as id,
            live_${env}.version('{}') as version`,
    [env],
  );
  return { id: Number(row.id), version: row.version };
}

Deno.test("rollback --to an earlier deployment activates it and reports it", () =>
  withDatabase("cli_rollback_to", async (db) => {
    await db.sql`create extension stopgap cascade`;
    const v1 = await deployVersion(db, "dev", 1);
    const v2 = await deployVersion(db, "dev", 2);
    const v3 = await deployVersion(db, "dev", 3);

    const human = await ok(".", "rollback", "--env", "dev", "--to", String(v1), "--db", db.url);
    assert.equal(human.stdout, `Rolled back "dev" to deployment ${v1} ("v1") (was deployment ${v3}, "v3").\n`);
    assert.deepEqual(await serving(db.sql, "dev"), { id: v1, version: 1 });

    const json = await ok(".", "rollback", "--env", "dev", "--to", String(v2), "--json", "--db", db.url);
    assert.deepEqual(JSON.parse(json.stdout), {
      env: "dev",
      status: "rolled_back",
      deploymentId: v2,
      label: "v2",
      previousDeploymentId: v1,
      previousLabel: "v1",
    });
    assert.deepEqual(await serving(db.sql, "dev"), { id: v2, version: 2 });

    const statuses = await db.sql`select label, status from stopgap.deployments('dev')`;
    assert.deepEqual(statuses.map((r) => [r.label, r.status]), [
      ["v3", "rolled_back"],
      ["v2", "active"],
      ["v1", "rolled_back"],
    ]);
  }));

Deno.test("rollback --to the active deployment changes nothing, exits 0 and says it already serves", () =>
  withDatabase("cli_rollback_active", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "dev", 1);
    const v2 = await deployVersion(db, "dev", 2);
    const [{ count: before }] = await db.sql`select count(*)::int as count from stopgap.activation_log`;

    const human = await ok(".", "rollback", "--env", "dev", "--to", String(v2), "--db", db.url);
    assert.equal(human.stdout, `Nothing to roll back: deployment ${v2} ("v2") already serves "dev".\n`);
    const json = await ok(".", "rollback", "--env", "dev", "--to", String(v2), "--json", "--db", db.url);
    assert.deepEqual(JSON.parse(json.stdout), {
      env: "dev",
      status: "unchanged",
      deploymentId: v2,
      label: "v2",
      previousDeploymentId: v2,
      previousLabel: "v2",
    });

    assert.deepEqual(await serving(db.sql, "dev"), { id: v2, version: 2 });
    const [{ count: after }] = await db.sql`select count(*)::int as count from stopgap.activation_log`;
    assert.equal(after, before, "no activation is logged");
  }));

Deno.test("rollback --to a deployment of another environment exits 1 naming both environments", () =>
  withDatabase("cli_rollback_other", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "dev", 1);
    const v2 = await deployVersion(db, "dev", 2);
    const staging = await deployVersion(db, "staging", 7);

    const run = await stopgapIn(".", ["rollback", "--env", "dev", "--to", String(staging), "--db", db.url]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      new RegExp(`^error: Deployment ${staging} belongs to environment "staging", not "dev"$`, "m"),
    );
    assert.match(run.stderr, /^hint: stopgap deployments --env dev lists the deployments of "dev"/m);
    const json = await stopgapIn(".", ["rollback", "--env", "dev", "--to", String(staging), "--json", "--db", db.url]);
    assert.equal(JSON.parse(json.stdout).error.code, "other_environment");

    assert.deepEqual(await serving(db.sql, "dev"), { id: v2, version: 2 });
    assert.deepEqual(await serving(db.sql, "staging"), { id: staging, version: 7 });
  }));

Deno.test("rollback --to an unknown deployment id exits 1 with the server's error and changes nothing", () =>
  withDatabase("cli_rollback_unknown", async (db) => {
    await db.sql`create extension stopgap cascade`;
    await deployVersion(db, "dev", 1);
    const v2 = await deployVersion(db, "dev", 2);

    const run = await stopgapIn(".", ["rollback", "--env", "dev", "--to", "999999", "--db", db.url]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^error: deployment 999999 does not exist in environment "dev" \(SQLSTATE 42704\)$/m,
    );
    const json = await stopgapIn(".", ["rollback", "--env", "dev", "--to", "999999", "--json", "--db", db.url]);
    assert.equal(JSON.parse(json.stdout).error.code, "42704");

    assert.deepEqual(await serving(db.sql, "dev"), { id: v2, version: 2 });
  }));
