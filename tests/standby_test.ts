/**
 * Deployed functions on a streaming-replication hot standby: every way of calling plts and stopgap code
 * runs there without taking a transaction id, writes fail with 25006 and say where writes go, deploys
 * refuse at once, and a session that stays open on the standby follows deploys made on the primary.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { databaseUrl, freshDatabase } from "./harness.ts";
import { startStandby } from "./_standby.ts";
import { stopgap } from "./_cli.ts";

/** The standby's port: `STOPGAP_STANDBY_PORT`, else the primary's port + 20. */
const STANDBY_PORT = Number(Deno.env.get("STOPGAP_STANDBY_PORT") || Number(new URL(databaseUrl()).port) + 20);

/** The app's source functions; `version` shows which deployment answered. */
async function writeApp(sql: postgres.Sql, version: number): Promise<void> {
  await sql.unsafe(`create or replace function app.greet(args jsonb) returns jsonb language plts as $$
    import { query, v } from "@stopgap/runtime";
    export default query(v.object({ name: v.string() }), ({ name }) => ({ greeting: "hello " + name, version: ${version} }));
  $$`);
  await sql.unsafe(`create or replace function app.count_items(args jsonb) returns jsonb language plts as $$
    import { query, v } from "@stopgap/runtime";
    export default query(v.object({}), async (_args, ctx) => {
      let n = 0;
      for (const _row of ctx.db.cursor("select id from public.items", [], { batchSize: 2 })) n++;
      return { n };
    });
  $$`);
  await sql.unsafe(`create or replace function app.add_item(args jsonb) returns jsonb language plts as $$
    import { mutation, v } from "@stopgap/runtime";
    export default mutation(v.object({ id: v.number() }), ({ id }, ctx) => ctx.db.exec("insert into public.items values ($1)", [id]).rowCount);
  $$`);
}

Deno.test("a hot standby serves deployed and plain plts functions, and refuses writes with 25006", async (t) => {
  await using db = await freshDatabase("standby");
  const { sql } = db;
  await sql`create extension stopgap cascade`;
  await sql`create schema app`;
  await sql`create table public.items (id int primary key)`;
  await sql`insert into public.items select generate_series(1, 5)`;
  await sql.unsafe(`create function public.plain_add(a int) returns int language plts as $$
    export default (ctx: unknown, a: number) => a + 1 $$`);
  await sql.unsafe(`create function public.plain_write(a int) returns int language plts as $$
    export default (ctx: any, a: number) => ctx.db.exec("insert into public.items values ($1)", [a]).rowCount $$`);
  await writeApp(sql, 1);
  await sql`select stopgap.deploy('prod', 'app', 'v1')`;

  await using standby = await startStandby(STANDBY_PORT);
  await standby.caughtUp();
  // One session that stays open on the standby for the whole test: it must follow the primary.
  const replica = postgres(standby.url(db.name), { max: 1, onnotice: () => {} });
  try {
    const noXid = async (query: string) => {
      const rows = await replica.begin(async (tx) => {
        const result = await tx.unsafe(query);
        const [{ xid }] = await tx`select pg_current_xact_id_if_assigned()::text as xid`;
        return { result, xid };
      });
      assert.equal(rows.xid, null, `${query} took a transaction id`);
      return rows.result;
    };

    await t.step("a deployed live function answers, without a transaction id", async () => {
      const [row] = await noXid(`select live_prod.greet('{"name":"ada"}') as r`);
      assert.deepEqual(row.r, { greeting: "hello ada", version: 1 });
    });

    await t.step("stopgap.call_fn answers", async () => {
      const [row] = await noXid(`select stopgap.call_fn('prod', 'greet', '{"name":"bo"}') as r`);
      assert.deepEqual(row.r, { greeting: "hello bo", version: 1 });
    });

    await t.step("a query wrapper reads through a cursor", async () => {
      const [row] = await noXid(`select live_prod.count_items('{}') as r`);
      assert.deepEqual(row.r, { n: 5 });
    });

    await t.step("plain plts functions and DO blocks run", async () => {
      const [row] = await noXid(`select public.plain_add(41) as r`);
      assert.equal(row.r, 42);
      await noXid(`do $$ export default (ctx: any) => { ctx.db.query("select 1"); } $$ language plts`);
    });

    await t.step("a mutation fails at once with 25006, saying writes go to the primary", async () => {
      const error = await replica`select live_prod.add_item('{"id": 9}')`.catch((e) => e);
      assert.equal(error.code, "25006");
      assert.match(
        error.message,
        /^mutation live_prod\.add_item cannot run on a read-only standby; writes go to the primary$/,
      );
      assert.match(error.hint, /primary/);
    });

    await t.step("a plain function that writes fails with 25006 and says the server is a standby", async () => {
      const error = await replica`select public.plain_write(10)`.catch((e) => e);
      assert.equal(error.code, "25006");
      assert.match(
        error.message,
        /read-only transaction \(this server is a read-only standby; writes go to the primary\)/,
      );
    });

    await t.step("deploy, rollback and prune refuse at once with 25006: run them on the primary", async () => {
      for (
        const [query, action] of [
          ["select stopgap.deploy('prod', 'app', 'v9')", "deploy"],
          ["select stopgap.rollback('prod')", "roll back"],
          ["select * from stopgap.prune('prod')", "prune"],
        ]
      ) {
        const error = await replica.unsafe(query).catch((e) => e);
        assert.equal(error.code, "25006", query);
        assert.equal(error.message, `cannot ${action} on a read-only standby`);
        assert.match(error.hint, /Writes go to the primary/);
      }
    });

    await t.step("status, deployments and diff work", async () => {
      const [status] = await noXid(`select active_label from stopgap.status('prod')`);
      assert.equal(status.active_label, "v1");
      const deployments = await noXid(`select label from stopgap.deployments('prod')`);
      assert.deepEqual(deployments.map((r) => r.label), ["v1"]);
      const diff = await noXid(`select fn_name, change from stopgap.diff('prod', 'app') order by 1`);
      assert.deepEqual(diff.map((r) => [r.fn_name, r.change]), [
        ["add_item", "unchanged"],
        ["count_items", "unchanged"],
        ["greet", "unchanged"],
      ]);
    });

    await t.step("the open standby session follows a deploy and a rollback made on the primary", async () => {
      await writeApp(sql, 2);
      await sql`select stopgap.deploy('prod', 'app', 'v2')`;
      await standby.caughtUp();
      const [v2] = await noXid(`select live_prod.greet('{"name":"ada"}') as r`);
      assert.equal(v2.r.version, 2);
      await sql`select stopgap.rollback('prod')`;
      await standby.caughtUp();
      const [v1] = await noXid(`select live_prod.greet('{"name":"ada"}') as r`);
      assert.equal(v1.r.version, 1);
      const [byName] = await noXid(`select stopgap.call_fn('prod', 'greet', '{"name":"ada"}') as r`);
      assert.equal(byName.r.version, 1);
    });

    await t.step("the CLI's call, status and deployments can be pointed at the standby with --db", async () => {
      const url = standby.url(db.name);
      const call = await stopgap("call", "greet", "--db", url, "--env", "prod", "--args", '{"name":"cy"}');
      assert.equal(call.code, 0, call.stderr);
      assert.match(call.stdout, /hello cy/);
      const status = await stopgap("status", "--db", url, "--env", "prod");
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /v1/);
      const deployments = await stopgap("deployments", "--db", url, "--env", "prod");
      assert.equal(deployments.code, 0, deployments.stderr);
      assert.match(deployments.stdout, /v2/);
    });
  } finally {
    await replica.end({ timeout: 5 });
  }
});

Deno.test("on the primary, calls that only read take no transaction id", async () => {
  await using db = await freshDatabase("primary_no_xid");
  const { sql } = db;
  await sql`create extension stopgap cascade`;
  await sql`create schema app`;
  await sql`create table public.items (id int primary key)`;
  await writeApp(sql, 1);
  await sql`select stopgap.deploy('prod', 'app', 'v1')`;
  // A new connection: its first call loads the artifact and resolves the environment.
  const fresh = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const xid = await fresh.begin(async (tx) => {
      await tx`select live_prod.greet('{"name":"ada"}')`;
      await tx`select stopgap.call_fn('prod', 'count_items', '{}')`;
      const [{ xid }] = await tx`select pg_current_xact_id_if_assigned()::text as xid`;
      return xid;
    });
    assert.equal(xid, null);
  } finally {
    await fresh.end({ timeout: 5 });
  }
});
