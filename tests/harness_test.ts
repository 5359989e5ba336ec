import { strict as assert } from "node:assert";
import postgres from "postgres";
import { adminSql, freshDatabase, withDatabase } from "./harness.ts";

async function databaseExists(name: string): Promise<boolean> {
  const admin = adminSql();
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    return rows.length === 1;
  } finally {
    await admin.end();
  }
}

Deno.test("freshDatabase() connects to a new database named after the label", async () => {
  await using db = await freshDatabase("harness");
  const [{ current }] = await db.sql`select current_database() as current`;
  assert.equal(current, db.name);
  assert.match(db.name, /^t_harness_[0-9a-f]{8}$/);
  assert.equal(await databaseExists(db.name), true);
});

Deno.test("a fresh database has no user tables", () =>
  withDatabase("harness", async ({ sql }) => {
    const tables = await sql`
      select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`;
    assert.deepEqual([...tables], []);
  }));

Deno.test("two fresh databases do not see each other's tables", async () => {
  await using first = await freshDatabase("harness");
  await using second = await freshDatabase("harness");
  assert.notEqual(first.name, second.name);
  await first.sql`create table only_in_first (id int)`;
  const [{ found }] = await second.sql`select to_regclass('only_in_first') is not null as found`;
  assert.equal(found, false);
});

Deno.test("withDatabase() drops the database when the callback returns", async () => {
  const name = await withDatabase("harness", ({ name }) => Promise.resolve(name));
  assert.equal(await databaseExists(name), false);
});

Deno.test("withDatabase() drops the database when the callback throws", async () => {
  let name = "";
  await assert.rejects(
    withDatabase("harness", (db) => {
      name = db.name;
      throw new Error("test body failed");
    }),
    /test body failed/,
  );
  assert.equal(await databaseExists(name), false);
});

Deno.test("drop() succeeds while another client is still connected through the database's url", async () => {
  const db = await freshDatabase("harness");
  const other = postgres(db.url, { max: 1 });
  try {
    await other`select 1`;
    await db.drop();
    assert.equal(await databaseExists(db.name), false);
  } finally {
    await other.end({ timeout: 0 });
  }
});
