/**
 * stopgap end to end through postgres.js: deploy v1 → call → deploy v2 → call sees v2 →
 * rollback → call sees v1, and a failed deploy as a client sees it.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { withDatabase } from "./harness.ts";

/** Writes `app.greet` returning `{ greeting, version }` into the source schema. */
async function writeGreet(sql: postgres.Sql, version: number): Promise<void> {
  await sql.unsafe(`create or replace function app.greet(args jsonb) returns jsonb language plts as $$
    export default (ctx: { args: { name: string } }) => ({ greeting: "hello " + ctx.args.name, version: ${version} });
  $$`);
}

async function callLive(sql: postgres.Sql): Promise<{ greeting: string; version: number }> {
  const [row] = await sql`select live_prod.greet(${sql.json({ name: "ada" })}) as result`;
  return row.result;
}

async function callByName(sql: postgres.Sql): Promise<{ greeting: string; version: number }> {
  const [row] = await sql`select stopgap.call_fn('prod', 'greet', ${sql.json({ name: "ada" })}) as result`;
  return row.result;
}

Deno.test("deploy v1, deploy v2, rollback: each call sees the active deployment", () =>
  withDatabase("stopgap_e2e", async ({ sql }) => {
    await sql`create extension stopgap cascade`;
    await sql`create schema app`;

    await writeGreet(sql, 1);
    const [{ v1 }] = await sql`select stopgap.deploy('prod', 'app', 'v1') as v1`;
    assert.deepEqual(await callLive(sql), { greeting: "hello ada", version: 1 });

    await writeGreet(sql, 2);
    const [{ v2 }] = await sql`select stopgap.deploy('prod', 'app', 'v2') as v2`;
    assert.ok(Number(v2) > Number(v1));
    assert.deepEqual(await callLive(sql), { greeting: "hello ada", version: 2 });
    assert.deepEqual(await callByName(sql), { greeting: "hello ada", version: 2 });

    const [{ back }] = await sql`select stopgap.rollback('prod') as back`;
    assert.equal(back, v1);
    assert.deepEqual(await callLive(sql), { greeting: "hello ada", version: 1 });
    assert.deepEqual(await callByName(sql), { greeting: "hello ada", version: 1 });

    const audit = await sql`select action, from_label, to_label from stopgap.activation_audit order by id`;
    assert.deepEqual(audit.map((r) => [r.action, r.from_label, r.to_label]), [
      ["deploy", null, "v1"],
      ["deploy", "v1", "v2"],
      ["rollback", "v2", "v1"],
    ]);
  }));

Deno.test("a failed deploy reaches the client with SQLSTATE, function, line and caret, and v1 keeps serving", () =>
  withDatabase("stopgap_e2e_fail", async ({ sql }) => {
    await sql`create extension stopgap cascade`;
    await sql`create schema app`;
    await writeGreet(sql, 1);
    await sql`select stopgap.deploy('prod', 'app', 'v1')`;

    const error = await sql.begin(async (tx) => {
      await tx`set local check_function_bodies = off`;
      await tx.unsafe(`create or replace function app.greet(args jsonb) returns jsonb language plts as $$
export default () => {
  return { broken: };
};
$$`);
      return await tx`select stopgap.deploy('prod', 'app', 'v2')`.then(() => null, (e) => e);
    }).catch((e) => e);
    assert.ok(error, "the deploy must fail");
    assert.equal(error.code, "42601");
    assert.match(
      error.message,
      /^deploy to environment "prod" failed in function app\.greet: TypeScript error .* line 3, column 20/,
    );
    assert.match(error.detail, /\^/);
    assert.match(error.hint, /keeps serving environment "prod"/);

    assert.deepEqual(await callLive(sql), { greeting: "hello ada", version: 1 });
    const rows = await sql`select label, status, failed_function from stopgap.deployments('prod')`;
    assert.deepEqual(rows.map((r) => [r.label, r.status, r.failed_function]), [
      ["v2", "failed", "app.greet"],
      ["v1", "active", null],
    ]);
  }));
