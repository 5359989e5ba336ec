/**
 * Two sessions deploying to one environment serialize on the environment's advisory lock: the
 * second waits until the first commits, then deploys on top of it.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { withDatabase } from "./harness.ts";

/** Waits until backend `pid` is blocked on an advisory lock; fails after ~5 s. */
async function waitUntilBlocked(sql: postgres.Sql, pid: number): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const [row] = await sql`select wait_event_type, wait_event from pg_stat_activity where pid = ${pid}`;
    if (row?.wait_event_type === "Lock" && row?.wait_event === "advisory") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`backend ${pid} never waited for the environment lock`);
}

Deno.test("concurrent deploys to one environment serialize; the later one supersedes the earlier", () =>
  withDatabase("stopgap_concurrency", async ({ sql }) => {
    await sql`create extension stopgap cascade`;
    for (const name of ["src_a", "src_b"]) {
      await sql.unsafe(`create schema ${name}`);
      await sql.unsafe(`create function ${name}.who(args jsonb) returns jsonb language plts as $$
        export default () => "${name}";
      $$`);
    }
    const first = await sql.reserve();
    const second = await sql.reserve();
    try {
      const [{ pid }] = await second`select pg_backend_pid() as pid`;
      await first`begin`;
      const [{ a }] = await first`select stopgap.deploy('prod', 'src_a', 'a') as a`;
      // first holds the lock mid-transaction; second's deploy must wait for it
      // postgres.js sends a query when it is awaited or then()-ed
      const pending = second`select stopgap.deploy('prod', 'src_b', 'b') as b`.then((rows) => rows);
      await waitUntilBlocked(sql, pid);
      const [{ count }] = await sql`select count(*)::int as count from stopgap.deployment`;
      assert.equal(count, 0, "nothing is committed while the first deploy is open");
      await first`commit`;
      const [{ b }] = await pending;
      assert.ok(Number(b) > Number(a));

      const rows = await sql`select label, status from stopgap.deployments('prod')`;
      assert.deepEqual(rows.map((r) => [r.label, r.status]), [["b", "active"], ["a", "superseded"]]);
      const log = await sql`select from_label, to_label from stopgap.activation_audit order by id`;
      assert.deepEqual(log.map((r) => [r.from_label, r.to_label]), [[null, "a"], ["a", "b"]]);
      const [{ who }] = await sql`select live_prod.who('{}') as who`;
      assert.equal(who, "src_b");
    } finally {
      first.release();
      second.release();
    }
  }));
