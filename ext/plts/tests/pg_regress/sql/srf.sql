-- Set-returning functions: an array, an iterable, a generator or an async generator becomes the
-- rows, as they are produced; a row object's keys are the columns.
\set SHOW_CONTEXT never
CREATE TABLE srf_items (id int, name text);
INSERT INTO srf_items VALUES (1, 'tea'), (2, 'cake');
-- SETOF a scalar: each element is the value
CREATE FUNCTION numbers(n int) RETURNS SETOF int LANGUAGE plts AS $$
export default function* (_ctx: unknown, n: number) { for (let i = 1; i <= n; i++) yield i * 10; }
$$;
SELECT * FROM numbers(3);
SELECT numbers(2) AS in_select_list;
CREATE FUNCTION words() RETURNS SETOF text LANGUAGE plts AS $$ export default () => ["a", null, "c"] $$;
SELECT * FROM words();
CREATE FUNCTION no_rows() RETURNS SETOF int LANGUAGE plts AS $$ export default () => [] $$;
SELECT count(*) FROM no_rows();
-- RETURNS TABLE: objects keyed by the columns, a missing key is NULL; any iterable works
CREATE FUNCTION pairs(n int) RETURNS TABLE (i int, label text) LANGUAGE plts AS $$
export default (_ctx: unknown, n: number) => new Map(Array.from({ length: n }, (_, i) => [i, `#${i}`])).entries().map(([i, label]) => ({ i, label }));
$$;
SELECT * FROM pairs(3);
CREATE FUNCTION one_column() RETURNS TABLE (a int) LANGUAGE plts AS $$ export default () => [1, { a: 2 }, {}] $$;
SELECT * FROM one_column();
CREATE FUNCTION sparse() RETURNS TABLE (a int, b text) LANGUAGE plts AS $$ export default () => [{ b: "only b" }, { a: 1 }, null] $$;
SELECT * FROM sparse();
-- SETOF a composite type, and an async generator with ctx.db inside it
CREATE FUNCTION items_async() RETURNS SETOF srf_items LANGUAGE plts AS $$
export default async function* (ctx: any) {
  for (const row of ctx.db.query("SELECT id, name FROM srf_items ORDER BY id")) {
    await null;
    yield { ...row, name: row.name.toUpperCase() };
  }
}
$$;
SELECT * FROM items_async();
-- SETOF record with a column definition list
CREATE FUNCTION anything() RETURNS SETOF record LANGUAGE plts AS $$ export default () => [{ x: 1, y: "one" }, { x: 2, y: "two" }] $$;
SELECT * FROM anything() AS t(x int, y text);
SELECT * FROM anything();
-- with LATERAL
SELECT s.id, n FROM srf_items s, LATERAL numbers(s.id) AS n ORDER BY 1, 2;
-- an async function returning an array
CREATE FUNCTION later() RETURNS SETOF int LANGUAGE plts AS $$ export default async () => [7, 8] $$;
SELECT * FROM later();
-- errors: not an iterable; a key that is not a column; a wrong type names the row; a throw mid-stream
CREATE FUNCTION not_iterable() RETURNS SETOF int LANGUAGE plts AS $$ export default () => 5 $$;
SELECT * FROM not_iterable();
CREATE FUNCTION unknown_key() RETURNS TABLE (a int) LANGUAGE plts AS $$ export default () => [{ a: 1 }, { a: 2, z: 3 }] $$;
SELECT * FROM unknown_key();
CREATE FUNCTION set_not_a_row() RETURNS TABLE (a int, b int) LANGUAGE plts AS $$ export default () => [{ a: 1, b: 2 }, 3] $$;
SELECT * FROM set_not_a_row();
CREATE FUNCTION bad_value() RETURNS SETOF int LANGUAGE plts AS $$ export default () => [1, 2, "three"] $$;
SELECT * FROM bad_value();
CREATE FUNCTION throws_late() RETURNS SETOF int LANGUAGE plts AS $$
export default function* () {
  for (let i = 0; i < 1000; i++) yield i;
  throw new Error("stopped after 1000 rows");
}
$$;
SELECT count(*) FROM throws_late();
-- a million rows from a generator in a 16 MB heap: rows go to the tuplestore as they come
SET plts.max_heap_mb = 16;
CREATE FUNCTION million() RETURNS TABLE (n int, label text) LANGUAGE plts AS $$
export default function* () { for (let n = 0; n < 1_000_000; n++) yield { n, label: `row ${n}` }; }
$$;
SELECT count(*), sum(n), max(label) FROM million();
RESET plts.max_heap_mb;
