/**
 * A plts procedure that commits in chunks: each chunk is visible to another session as soon as the
 * procedure commits it, while the procedure still runs.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { withDatabase } from "./harness.ts";

const ROWS = 100_000;
const CHUNKS = 10;
/** The advisory lock the procedure waits on after its fifth chunk, held by the test meanwhile. */
const GATE = 4242;

/** Waits until backend `pid` is blocked on an advisory lock; fails after ~10 s. */
async function waitUntilBlocked(sql: postgres.Sql, pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [row] = await sql`select wait_event_type, wait_event from pg_stat_activity where pid = ${pid}`;
    if (row?.wait_event_type === "Lock" && row?.wait_event === "advisory") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`backend ${pid} never waited for the advisory lock`);
}

Deno.test("a procedure's ctx.db.commit() makes each chunk visible to other sessions while it runs", () =>
  withDatabase("plts_procedure_commit", async ({ sql }) => {
    await sql`create extension plts`;
    await sql`create table accounts (id int primary key, touched boolean not null default false)`;
    await sql`insert into accounts (id) select g from generate_series(1, ${ROWS}) g`;
    await sql.unsafe(`create procedure touch_all(chunks int, gate bigint) language plts as $$
      export default (ctx: any, chunks: number, gate: number) => {
        const size = Math.ceil(${ROWS} / chunks);
        for (let chunk = 0; chunk < chunks; chunk++) {
          ctx.db.exec("update accounts set touched = true where id > $1 and id <= $2", [chunk * size, (chunk + 1) * size]);
          ctx.db.commit();
          // Halfway, wait in a new transaction for the test to look (it holds the lock).
          if (chunk === chunks / 2 - 1) ctx.db.query("select pg_advisory_xact_lock($1)", [gate]);
        }
      };
    $$`);
    const procedure = await sql.reserve();
    const observer = await sql.reserve();
    try {
      const [{ pid }] = await procedure`select pg_backend_pid() as pid`;
      await observer`select pg_advisory_lock(${GATE})`;
      const running = procedure`call touch_all(${CHUNKS}, ${GATE})`.then((rows) => rows);
      await waitUntilBlocked(sql, pid);
      const [{ halfway }] = await observer`select count(*) filter (where touched)::int as halfway from accounts`;
      assert.equal(halfway, ROWS / 2, "the first five chunks are committed and visible mid-run");
      await observer`select pg_advisory_unlock(${GATE})`;
      await running;
      const [{ done }] = await observer`select count(*) filter (where touched)::int as done from accounts`;
      assert.equal(done, ROWS);
    } finally {
      procedure.release();
      observer.release();
    }
  }));

Deno.test("ctx.db.commit() inside an explicit transaction block fails with 2D000", () =>
  withDatabase("plts_procedure_atomic", async ({ sql }) => {
    await sql`create extension plts`;
    await sql.unsafe(`create procedure commits() language plts as $$ export default (ctx: any) => ctx.db.commit(); $$`);
    await assert.rejects(
      sql.begin((tx) => tx`call commits()`),
      (e: postgres.PostgresError) => e.code === "2D000" && /ctx\.db\.commit\(\) is not allowed here/.test(e.message),
    );
  }));
