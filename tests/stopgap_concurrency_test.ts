/**
 * Sessions deploying to one environment serialize on the environment's advisory lock: the second
 * waits until the first commits, then deploys on top of it; of ten at once, each deploys or is
 * refused, and the history stays one line.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { withDatabase } from "./harness.ts";
import { assertCatalogConsistent } from "./_stopgap_catalog.ts";

/** The first key of the environment lock (ext/stopgap/src/environment.rs: ASCII "STGP"). */
const LOCK_CLASS = 0x5354_4750;

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

Deno.test("ten concurrent deploys to one environment: each deploys or is refused, and the history stays linear", () =>
  withDatabase("stopgap_concurrency_ten", async ({ sql, url }) => {
    await sql`create extension stopgap cascade`;
    // Eight distinct labels; deploys 8 and 9 reuse labels d0 and d1, so of each pair exactly one wins.
    const labels = Array.from({ length: 10 }, (_, i) => `d${i % 8}`);
    for (let i = 0; i < 10; i++) {
      await sql.unsafe(`create schema src_${i}`);
      await sql.unsafe(`create function src_${i}.who(args jsonb) returns jsonb language plts as $$
        export default () => ${i};
      $$`);
    }
    // All ten start while a session holds the environment's lock, so they really are concurrent.
    const holder = await sql.reserve();
    const sessions = Array.from({ length: 10 }, () => postgres(url, { max: 1, onnotice: () => {} }));
    try {
      await holder`begin`;
      await holder`select pg_advisory_xact_lock(${LOCK_CLASS}, hashtext('prod'))`;
      const pids = await Promise.all(sessions.map(async (s) => (await s`select pg_backend_pid() as pid`)[0].pid));
      type Outcome = { i: number; id: number; error: null } | { i: number; id: null; error: postgres.PostgresError };
      const outcomes = sessions.map((s, i) =>
        s`select stopgap.deploy('prod', ${`src_${i}`}, ${labels[i]}) as id`.then(
          ([row]): Outcome => ({ i, id: Number(row.id), error: null }),
          (error): Outcome => ({ i, id: null, error }),
        )
      );
      for (const pid of pids) await waitUntilBlocked(sql, pid);
      await holder`commit`;
      const results = await Promise.all(outcomes);

      const deployed = results.filter((r) => r.id !== null);
      const refused = results.filter((r) => r.error !== null);
      assert.equal(deployed.length, 8, "one deploy per label");
      assert.equal(new Set(deployed.map((r) => labels[r.i])).size, 8);
      for (const r of refused) {
        assert.equal(r.error?.code, "42710", `deploy ${r.i}: ${r.error?.message}`);
        assert.equal(r.error?.message, `label "${labels[r.i]}" is already used in environment "prod"`);
      }

      // Linear: every deploy superseded the one before it, in the order they got the lock.
      const state = await assertCatalogConsistent(sql, "prod");
      const order = deployed.map((r) => r.id!).sort((a, b) => a - b);
      assert.deepEqual(state.deployments.map((d) => d.id), order, "no failed or stray deployment rows");
      assert.deepEqual(state.activations.map((a) => a.to), order);
      assert.deepEqual(
        state.deployments.map((d) => d.status),
        [...Array(7).fill("superseded"), "active"],
      );
      const last = deployed.find((r) => r.id === order[7])!;
      const [{ who }] = await sql`select live_prod.who('{}') as who`;
      assert.equal(who, last.i, "the live function is the last deploy's");
    } finally {
      holder.release();
      await Promise.all(sessions.map((s) => s.end({ timeout: 5 })));
    }
  }));
