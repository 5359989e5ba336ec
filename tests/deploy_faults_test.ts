/**
 * A deploy that dies mid-flight leaves nothing behind: the previous deployment keeps serving and
 * stopgap's catalogs hold no half-written rows — whether its backend is terminated
 * (`pg_terminate_backend`) or killed with SIGKILL, which makes the whole cluster go through crash
 * recovery. (Concurrent deploys: tests/stopgap_concurrency_test.ts.)
 *
 * How the fault lands mid-flight: a second session locks the row of the active deployment
 * (`SELECT ... FOR UPDATE`). A deploy writes that row only near its end, when it marks the previous
 * deployment superseded — after it has compiled and stored the new artifacts, written the new
 * deployment, its function versions and manifest, and rewritten the live stubs. So the deploy blocks
 * there, with all of that written and uncommitted; the test checks it is waiting on that row lock
 * and holds row locks on those catalogs, and only then terminates or kills it.
 *
 * The SIGKILL test needs the cluster on this machine (it signals the backend's pid) and restarts
 * every connection on it; it waits until the cluster accepts connections again before it goes on,
 * also when it fails.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { adminSql, type FreshDatabase, withDatabase } from "./harness.ts";
import { assertCatalogConsistent, type CatalogState } from "./_stopgap_catalog.ts";

const OPTIONS = { max: 1, onnotice: () => {}, connect_timeout: 10 };

/** Source schemas `app_v1` and `app_v2` with `who` and `add`, and `app_v1` deployed to `prod` as "v1". */
async function deployV1(sql: postgres.Sql): Promise<CatalogState> {
  await sql`create extension stopgap cascade`;
  for (const version of [1, 2]) {
    await sql.unsafe(`create schema app_v${version}`);
    await sql.unsafe(`create function app_v${version}.who(args jsonb) returns jsonb language plts stable as $$
      export default () => ({ version: ${version} });
    $$`);
    await sql.unsafe(`create function app_v${version}.add(args jsonb) returns jsonb language plts as $$
      export default (ctx: { args: { a: number; b: number } }) => ({ sum: ctx.args.a + ctx.args.b, version: ${version} });
    $$`);
  }
  // The private cluster runs with synchronous_commit = off, whose last commits (up to
  // wal_writer_delay's worth) a crash loses; v1's deploy commits synchronously, so that its WAL, and
  // everything before it, is written before the SIGKILL test crashes the cluster.
  await sql.begin(async (tx) => {
    await tx`set local synchronous_commit = on`;
    await tx`select stopgap.deploy('prod', 'app_v1', 'v1')`;
  });
  return await assertCatalogConsistent(sql, "prod");
}

async function serving(sql: postgres.Sql): Promise<number> {
  const [{ who }] = await sql`select live_prod.who('{}') as who`;
  return who.version;
}

/** A client on `db` with one connection, named so that pg_stat_activity tells it apart. */
function connect(db: FreshDatabase, name: string): postgres.Sql {
  return postgres(db.url, { ...OPTIONS, connection: { application_name: name } });
}

/**
 * Starts `stopgap.deploy('prod', 'app_v2', 'v2')` on its own connection while another session holds
 * the active deployment's row, and returns once the deploy is blocked on that row with its writes
 * done. `release()` ends the blocking session (ignoring a connection the fault already ended).
 */
async function deployBlockedMidFlight(db: FreshDatabase, activeId: number) {
  const blocker = connect(db, "fault_blocker");
  const deployer = connect(db, "fault_deployer");
  const release = async () => {
    await blocker`rollback`.catch(() => {});
    // After the fault the deployer's connection (after SIGKILL, also the blocker's) is gone; a
    // graceful end would wait out its timeout on it.
    await Promise.all([blocker.end({ timeout: 0 }), deployer.end({ timeout: 0 })]);
  };
  try {
    await blocker`begin`;
    await blocker`select 1 from stopgap.deployment where id = ${activeId} for update`;
    const deploying = deployer`select stopgap.deploy('prod', 'app_v2', 'v2') as id`.then(
      () => assert.fail("the deploy must not finish"),
      (error) => error,
    );
    const pid = await blockedDeployer(db.sql);
    return { pid, deploying, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * The pid of the backend named `fault_deployer` once it waits for a row lock (a transaction id) —
 * after it has stored artifacts, written its deployment and function versions and rewritten the
 * live stubs, which this checks.
 */
async function blockedDeployer(sql: postgres.Sql): Promise<number> {
  let pid = 0;
  for (let i = 0; i < 500 && pid === 0; i++) {
    const [row] = await sql`select pid from pg_stat_activity
      where datname = current_database() and application_name = 'fault_deployer' and wait_event_type = 'Lock' and wait_event = 'transactionid'`;
    if (row) pid = row.pid;
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(pid > 0, "the deploy never waited for the locked deployment row");
  const writes = await sql`select relation::regclass::text as rel from pg_locks
    where pid = ${pid} and locktype = 'relation' and mode = 'RowExclusiveLock' order by 1`;
  const written = writes.map((r) => r.rel);
  for (const catalog of ["plts.artifact", "stopgap.deployment", "stopgap.fn_version"]) {
    assert.ok(written.includes(catalog), `the blocked deploy has not written ${catalog} yet (wrote ${written})`);
  }
  // The live stubs are rewritten too: the rows of pg_proc that other sessions still see carry as
  // xmax a transaction id the deploy holds (its subtransaction's; CREATE OR REPLACE updated them,
  // and pg_proc's table lock is not kept, so it does not show above).
  const stubs = await sql`select p.proname::text as name, exists (select from pg_locks l
      where l.pid = ${pid} and l.locktype = 'transactionid' and l.granted
        and l.transactionid::text = p.xmax::text) as rewritten
    from pg_proc p where p.pronamespace = 'live_prod'::regnamespace order by 1`;
  assert.deepEqual(stubs.map((r) => [r.name, r.rewritten]), [["add", true], ["who", true]]);
  return pid;
}

/** Waits until the cluster accepts connections and runs queries again, for up to 60 s. */
async function waitForCluster(): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 120; i++) {
    const admin = adminSql();
    try {
      await admin`select 1`;
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await admin.end({ timeout: 1 }).catch(() => {});
    }
  }
  throw new Error(`the cluster did not come back within 60 s`, { cause: last });
}

/** After the fault: the catalogs as before it, v1 serving, and the next deploy of v2 going through. */
async function assertNothingChanged(db: FreshDatabase, before: CatalogState): Promise<void> {
  const sql = postgres(db.url, OPTIONS);
  try {
    assert.deepEqual(await assertCatalogConsistent(sql, "prod"), before, "the dead deploy left rows behind");
    const [{ n }] = await sql`select count(*)::int as n from stopgap.deployment where label = 'v2'`;
    assert.equal(n, 0, "no deployment row (not even a failed one) of the dead deploy");
    assert.equal(await serving(sql), 1);
    const [{ add }] = await sql`select live_prod.add('{"a": 2, "b": 3}') as add`;
    assert.deepEqual(add, { sum: 5, version: 1 });

    // The environment is not stuck: its lock went with the dead backend.
    const [{ id }] = await sql`select stopgap.deploy('prod', 'app_v2', 'v2') as id`;
    const after = await assertCatalogConsistent(sql, "prod");
    assert.equal(after.activeId, Number(id));
    assert.equal(await serving(sql), 2);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

Deno.test("a deploy terminated mid-flight leaves the previous deployment serving and no half-written rows", () =>
  withDatabase("fault_terminate", async (db) => {
    const before = await deployV1(db.sql);
    const blocked = await deployBlockedMidFlight(db, before.activeId!);
    try {
      const [{ terminated }] = await db.sql`select pg_terminate_backend(${blocked.pid}) as terminated`;
      assert.equal(terminated, true);
      const error = await blocked.deploying;
      // The server sends FATAL 57P01 and closes the connection; postgres.js reports either.
      assert.ok(
        ["57P01", "CONNECTION_CLOSED"].includes(error.code),
        `the deploy ended with ${error.code}: ${error.message}`,
      );
    } finally {
      await blocked.release();
    }
    await assertNothingChanged(db, before);
  }));

Deno.test("a backend killed with SIGKILL mid-deploy: after crash recovery the previous deployment serves", async () => {
  try {
    await withDatabase("fault_sigkill", async (db) => {
      const before = await deployV1(db.sql);
      const blocked = await deployBlockedMidFlight(db, before.activeId!);
      try {
        const status = await Deno.readTextFile(`/proc/${blocked.pid}/status`).catch(() => "");
        assert.match(status, /^Name:\s+postgres/m, `backend ${blocked.pid} is not a postgres process on this machine`);
        Deno.kill(blocked.pid, "SIGKILL");
        const error = await blocked.deploying;
        assert.ok(error instanceof Error, "the deploy's connection ends with an error");
      } finally {
        await blocked.release();
      }
      // The postmaster ends every backend and replays the WAL; the old connections of db.sql are gone.
      await waitForCluster();
      await assertNothingChanged(db, before);
    });
  } finally {
    // Never leave the cluster down for the tests after this one.
    await waitForCluster();
  }
});
