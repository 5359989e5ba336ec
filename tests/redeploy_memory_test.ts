/**
 * A backend that calls a deployed function between redeploys of it does not keep the replaced
 * versions: its private memory (`RssAnon`) stays flat over 2,000 redeploys.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { freshDatabase } from "./harness.ts";

const REDEPLOYS = Number(Deno.env.get("STOPGAP_REDEPLOYS") || 2000);
/** Where the flat part starts: the allocator's and caches' warm-up is over by then. */
const WARM = Math.min(300, Math.floor(REDEPLOYS / 4));

/** The backend's private resident memory in kB, read from /proc (the cluster runs on this machine). */
async function rssAnonKb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/^RssAnon:\s+(\d+) kB$/m.exec(status)![1]);
}

Deno.test(`a backend calling a function between ${REDEPLOYS} redeploys of it stays flat in memory`, async () => {
  await using db = await freshDatabase("redeploy_memory");
  await db.sql`create extension stopgap cascade`;
  await db.sql`create schema app`;
  // One connection: deploys and calls run in the same backend, as in a `stopgap dev` session.
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    let warm = 0;
    for (let i = 1; i <= REDEPLOYS; i++) {
      // Each version is a new artifact: a module the backend evaluates once and must not keep.
      await sql.unsafe(`create or replace function app.f(args jsonb) returns jsonb language plts as $$
        const table = Array.from({ length: 50 }, (_, k) => "v${i}-" + k);
        export default () => ({ version: ${i}, first: table[0] });
      $$`);
      await sql`select stopgap.deploy('prod', 'app', ${"v" + i})`;
      const [row] = await sql`select live_prod.f('{}') as r, pg_backend_pid() as pid`;
      assert.equal(row.r.version, i);
      if (i === WARM) warm = await rssAnonKb(row.pid);
      if (i === REDEPLOYS) {
        const end = await rssAnonKb(row.pid);
        console.log(`RssAnon after ${WARM} redeploys: ${warm} kB, after ${REDEPLOYS}: ${end} kB`);
        // A kept version costs ~7 kB: 1,700 of them would add ~12 MB.
        assert.ok(end - warm < 1024, `grew by ${end - warm} kB from redeploy ${WARM} to ${REDEPLOYS}`);
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
});
