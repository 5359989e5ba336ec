/**
 * The privilege matrix of stopgap and plts: for each role and each entry point, whether it is
 * allowed, and for a refusal the SQLSTATE. One table ({@linkcode MATRIX}), asserted cell by cell
 * against a real PostgreSQL; docs/DEPLOYMENT-RUNBOOK.md ("Roles and grants") shows the same table.
 *
 * Every cell runs in its own transaction as the role — `begin; set local role X; <statement>;
 * rollback` — so no cell changes what the next one sees (checked at the end). The expectations
 * come from the runbook, not from what the code happens to do.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { freshDatabase } from "./harness.ts";

/** The roles: the keys of each entry point's `expect`, the columns of the runbook's table. */
type Role = "owner" | "deployer" | "app" | "stranger";
const ROLES: readonly Role[] = ["owner", "deployer", "app", "stranger"];

/** A refusal: the SQLSTATE, and which check gave it (the message). */
interface Refusal {
  sqlstate: string;
  message: RegExp;
}
/** The cell's statement succeeds. */
const OK = "ok";
/** PostgreSQL's own check: no EXECUTE on the function, no right on the table or schema. */
const DENIED: Refusal = { sqlstate: "42501", message: /^permission denied for (function|table|schema) / };
/** stopgap's own check (security.rs), behind the EXECUTE grant: membership of stopgap_deployer. */
const NOT_DEPLOYER: Refusal = { sqlstate: "42501", message: /is not a member of stopgap_deployer$/ };
/** stopgap's own check (security.rs): USAGE on the source schema of a deploy. */
const NO_SOURCE_USAGE: Refusal = { sqlstate: "42501", message: /^permission denied for source schema .* lacks USAGE$/ };
type Cell = typeof OK | Refusal;

interface EntryPoint {
  /** The column's name, as in the runbook. */
  name: string;
  /**
   * Run as the role. `{artifact}` is the hash of the live function's artifact; `{schema}` the
   * schema the cell's `setup` made for the role.
   */
  sql: string;
  /**
   * Run as the superuser inside the cell's transaction, before `set local role` (so it is rolled
   * back with the cell); `{role}` is the row's role.
   */
  setup?: string;
  expect: Record<Role, Cell>;
}

/**
 * Roles:
 * - owner: `stopgap_owner` itself (NOLOGIN, granted to nobody; `SET LOCAL ROLE` from the superuser);
 * - deployer: a fresh role granted `stopgap_deployer`, plus USAGE on the source schema `app` (deploy
 *   checks it; granted in setup);
 * - app: a fresh role granted `stopgap_app`, the execute role of `prod` (the default);
 * - stranger: a fresh role with CONNECT on the database and nothing else (PUBLIC's default rights apply).
 *
 * State every cell starts from: `prod` had v1 (`f`, `g`) and v2 (`f` only, so `live_prod.g` is left
 * for prune and v1 is the rollback target); `app.f` has been edited since v2, so a deploy has work to do.
 */
const MATRIX: readonly EntryPoint[] = [
  {
    name: "stopgap.deploy",
    sql: "select stopgap.deploy('prod', 'app', 'v3')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.rollback",
    sql: "select stopgap.rollback('prod')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.prune",
    sql: "select * from stopgap.prune('prod')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.configure_environment",
    sql: "select stopgap.configure_environment('prod', execute_role => 'stopgap_app')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.deploy after a stray GRANT EXECUTE to the role",
    setup: "grant execute on function stopgap.deploy(text, text, text, boolean) to {role}",
    sql: "select stopgap.deploy('prod', 'app', 'v3')",
    expect: { owner: NOT_DEPLOYER, deployer: OK, app: NOT_DEPLOYER, stranger: NOT_DEPLOYER },
  },
  {
    name: "stopgap.rollback after a stray GRANT EXECUTE to the role",
    setup: "grant execute on function stopgap.rollback(text, integer, bigint) to {role}",
    sql: "select stopgap.rollback('prod')",
    expect: { owner: NOT_DEPLOYER, deployer: OK, app: NOT_DEPLOYER, stranger: NOT_DEPLOYER },
  },
  {
    name: "stopgap.prune after a stray GRANT EXECUTE to the role",
    setup: "grant execute on function stopgap.prune(text) to {role}",
    sql: "select * from stopgap.prune('prod')",
    expect: { owner: NOT_DEPLOYER, deployer: OK, app: NOT_DEPLOYER, stranger: NOT_DEPLOYER },
  },
  {
    name: "stopgap.configure_environment after a stray GRANT EXECUTE to the role",
    setup: "grant execute on function stopgap.configure_environment(text, text, text) to {role}",
    sql: "select stopgap.configure_environment('prod', execute_role => 'stopgap_app')",
    expect: { owner: NOT_DEPLOYER, deployer: OK, app: NOT_DEPLOYER, stranger: NOT_DEPLOYER },
  },
  {
    name: "stopgap.deploy from a schema the role may not USAGE",
    sql: "select stopgap.deploy('prod', 'private', 'p1')",
    expect: { owner: DENIED, deployer: NO_SOURCE_USAGE, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.status",
    sql: "select * from stopgap.status('prod')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.deployments",
    sql: "select * from stopgap.deployments('prod')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.diff",
    sql: "select * from stopgap.diff('prod', 'app')",
    expect: { owner: DENIED, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "SELECT stopgap.deployment",
    sql: "select count(*) from stopgap.deployment",
    expect: { owner: OK, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "stopgap.call_fn",
    sql: `select stopgap.call_fn('prod', 'f', '{}')`,
    expect: { owner: OK, deployer: DENIED, app: OK, stranger: DENIED },
  },
  {
    name: "EXECUTE live_prod.f",
    sql: `select live_prod.f('{}')`,
    expect: { owner: OK, deployer: DENIED, app: OK, stranger: DENIED },
  },
  {
    name: "plts.compile_ts",
    sql: "select * from plts.compile_ts('export default () => 1')",
    expect: { owner: OK, deployer: OK, app: OK, stranger: OK },
  },
  {
    name: "plts.compile_and_store",
    sql: "select plts.compile_and_store('export default () => 2')",
    expect: { owner: OK, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "plts.upsert_artifact",
    sql: "select plts.upsert_artifact('export default () => 3', 'export default () => 3')",
    expect: { owner: OK, deployer: OK, app: DENIED, stranger: DENIED },
  },
  {
    name: "plts.get_artifact",
    sql: "select * from plts.get_artifact('{artifact}')",
    expect: { owner: OK, deployer: OK, app: OK, stranger: OK },
  },
  {
    name: "SELECT plts.artifact",
    sql: "select source_ts from plts.artifact",
    expect: { owner: OK, deployer: OK, app: OK, stranger: OK },
  },
  {
    name: "INSERT plts.artifact",
    sql: `insert into plts.artifact (artifact_hash, source_ts, compiled_js, compiler_fingerprint)
          values ('sha256:' || repeat('0', 64), 'forged', 'forged', 'forged')`,
    expect: { owner: DENIED, deployer: DENIED, app: DENIED, stranger: DENIED },
  },
  {
    name: "UPDATE stopgap.environment",
    sql: "update stopgap.environment set execute_role = 'stopgap_app' where env = 'prod'",
    expect: { owner: OK, deployer: DENIED, app: DENIED, stranger: DENIED },
  },
  {
    name: "INSERT stopgap.deployment",
    sql: `insert into stopgap.deployment (env, label, created_by, source_schema, status, failure)
          values ('prod', 'forged', current_user, 'app', 'failed', '{}')`,
    expect: { owner: OK, deployer: DENIED, app: DENIED, stranger: DENIED },
  },
  {
    name: "CREATE FUNCTION live_prod.x",
    sql: "create function live_prod.x() returns int language sql as 'select 1'",
    expect: { owner: OK, deployer: DENIED, app: DENIED, stranger: DENIED },
  },
  {
    // PostgreSQL 15: PUBLIC has no CREATE on schema public (it belongs to pg_database_owner).
    name: "CREATE FUNCTION public.x LANGUAGE plts",
    sql: "create function public.x(args jsonb) returns jsonb language plts as $$ export default () => 1 $$",
    expect: { owner: DENIED, deployer: DENIED, app: DENIED, stranger: DENIED },
  },
  {
    // The language right alone: plts is TRUSTED, so PUBLIC has USAGE on it. The schema exists
    // only inside the cell's transaction, so the stranger owns nothing outside this cell.
    name: "CREATE FUNCTION <own schema>.x LANGUAGE plts",
    setup: "create schema {schema} authorization {role}",
    sql: "create function {schema}.x(args jsonb) returns jsonb language plts as $$ export default () => 1 $$",
    expect: { owner: OK, deployer: OK, app: OK, stranger: OK },
  },
];

/** What a cell did: `ok`, or the SQLSTATE and message it failed with. */
interface Outcome {
  code: string;
  message?: string;
}

/** Why `outcome` is not what `cell` expects, or undefined when it is. */
function disagreement(cell: Cell, outcome: Outcome): string | undefined {
  const got = outcome.code === OK ? OK : `${outcome.code} (${outcome.message})`;
  if (cell === OK) return outcome.code === OK ? undefined : `expected ok, got ${got}`;
  if (outcome.code === cell.sqlstate && cell.message.test(outcome.message ?? "")) return undefined;
  return `expected ${cell.sqlstate} matching ${cell.message}, got ${got}`;
}

async function runCell(
  conn: postgres.ReservedSql,
  roleName: string,
  entry: EntryPoint,
  artifact: string,
): Promise<Outcome> {
  const fill = (text: string) =>
    text.replaceAll("{artifact}", artifact).replaceAll("{schema}", "own_cell").replaceAll("{role}", `"${roleName}"`);
  await conn.unsafe("begin");
  try {
    if (entry.setup) await conn.unsafe(fill(entry.setup));
    await conn.unsafe(`set local role "${roleName}"`);
    await conn.unsafe(fill(entry.sql));
    return { code: OK };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? "no SQLSTATE", message: e.message };
  } finally {
    await conn.unsafe("rollback");
  }
}

/** What any cell could have changed; equal before and after all cells. */
async function snapshot(sql: postgres.Sql): Promise<unknown> {
  return await sql`
    select (select json_agg(e order by env) from stopgap.environment e) as environments,
           (select json_agg(d order by id) from stopgap.deployment d) as deployments,
           (select count(*) from stopgap.activation_log) as activations,
           (select count(*) from plts.artifact) as artifacts,
           (select json_agg(p.oid::regprocedure::text order by 1) from pg_proc p
             where p.pronamespace in ('live_prod'::regnamespace, 'public'::regnamespace)) as functions,
           (select json_agg(nspname order by 1) from pg_namespace) as schemas,
           (select json_agg(p.proacl::text order by p.oid) from pg_proc p
             where p.pronamespace in ('stopgap'::regnamespace, 'plts'::regnamespace)) as grants`;
}

Deno.test("privilege matrix: exactly the allowed cells succeed, refusals fail with their SQLSTATE", async () => {
  await using db = await freshDatabase("privileges");
  const { sql } = db;
  const suffix = db.name.slice(-8);
  const roleNames: Record<Role, string> = {
    owner: "stopgap_owner",
    deployer: `t_priv_deployer_${suffix}`,
    app: `t_priv_app_${suffix}`,
    stranger: `t_priv_stranger_${suffix}`,
  };
  const fresh = [roleNames.deployer, roleNames.app, roleNames.stranger];
  try {
    await sql`create extension stopgap cascade`;
    for (const name of fresh) await sql.unsafe(`create role "${name}" nologin`);
    await sql.unsafe(`grant connect on database "${db.name}" to "${roleNames.stranger}"`);
    await sql.unsafe(`grant stopgap_deployer to "${roleNames.deployer}"`);
    await sql.unsafe(`grant stopgap_app to "${roleNames.app}"`);

    await sql`create schema app`;
    await sql.unsafe(`grant usage on schema app to "${roleNames.deployer}"`);
    const write = (name: string, body: string) =>
      sql.unsafe(`create or replace function app.${name}(args jsonb) returns jsonb language plts as $$ ${body} $$`);
    await write("f", "export default () => ({ version: 1 })");
    await write("g", "export default () => ({ g: true })");
    await sql`select stopgap.deploy('prod', 'app', 'v1')`;
    await sql`drop function app.g(jsonb)`;
    await write("f", "export default () => ({ version: 2 })");
    await sql`select stopgap.deploy('prod', 'app', 'v2')`;
    await write("f", "export default () => ({ version: 3 })");
    // A schema nobody but the superuser may use, for the deploy that stopgap itself refuses.
    await sql`create schema private`;
    await sql.unsafe(
      `create function private.p(args jsonb) returns jsonb language plts as $$ export default () => 1 $$`,
    );
    const [{ artifact }] = await sql`
      select v.artifact_hash as artifact from stopgap.fn_version v
        join stopgap.environment e on e.active_deployment_id = v.deployment_id
       where e.env = 'prod' and v.fn_name = 'f'`;

    const before = await snapshot(sql);
    const conn = await sql.reserve();
    const mismatches: string[] = [];
    try {
      for (const entry of MATRIX) {
        for (const role of ROLES) {
          const outcome = await runCell(conn, roleNames[role], entry, artifact);
          const why = disagreement(entry.expect[role], outcome);
          if (why) mismatches.push(`${role} × ${entry.name}: ${why}`);
        }
      }
    } finally {
      conn.release();
    }
    assert.deepEqual(mismatches, [], `cells that disagree with the matrix:\n${mismatches.join("\n")}`);
    assert.deepEqual(await snapshot(sql), before, "a cell changed the state the next one sees");
  } finally {
    for (const name of fresh) {
      await sql.unsafe(`drop owned by "${name}"`).catch(() => {});
      await sql.unsafe(`drop role if exists "${name}"`);
    }
  }
});
