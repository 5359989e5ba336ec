-- Composite types both ways: composite arguments and columns become objects; a returned object
-- becomes the row, its keys matched to the columns by name.
\set SHOW_CONTEXT never
CREATE TYPE pair AS (a int, b text);
CREATE TYPE nested AS (p pair, tags text[], meta jsonb);
CREATE TABLE people (id int, name text, born date);
INSERT INTO people VALUES (1, 'Ada', '1815-12-10');
-- arguments: a named type, a table's row type, nested composites, NULLs
CREATE FUNCTION show_pair(p pair) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, p: { a: number; b: string } | null) => p === null ? "null" : `${typeof p} a=${p.a} b=${p.b}`;
$$;
SELECT show_pair(ROW(1, 'x')::pair), show_pair(NULL), show_pair(ROW(NULL, NULL)::pair);
CREATE FUNCTION as_json(v anyelement) RETURNS jsonb LANGUAGE plts AS $$ export default (_ctx: unknown, v: unknown) => v $$;
SELECT as_json(people) FROM people;
SELECT as_json(ROW(ROW(2, 'y')::pair, ARRAY['t1', 't2'], '{"k": 1}')::nested);
-- arrays of composites and domains over them
SELECT as_json(ARRAY[ROW(1, 'a')::pair, NULL, ROW(2, 'b')::pair]);
CREATE DOMAIN positive_pair AS pair CHECK ((VALUE).a > 0);
SELECT as_json(ROW(3, 'c')::positive_pair);
CREATE FUNCTION make_positive(a int) RETURNS positive_pair LANGUAGE plts AS $$ export default (_ctx: unknown, a: number) => ({ a, b: "p" }) $$;
SELECT make_positive(4);
SELECT make_positive(-4);
-- results: the object becomes the row, in any key order, nested composites included
CREATE FUNCTION make_pair(a int) RETURNS pair LANGUAGE plts AS $$ export default (_ctx: unknown, a: number) => ({ b: `b${a}`, a }) $$;
SELECT make_pair(7), (make_pair(8)).b;
SELECT * FROM make_pair(9);
CREATE FUNCTION make_nested() RETURNS nested LANGUAGE plts AS $$
export default () => ({ p: { a: 1, b: "one" }, tags: ["x"], meta: { deep: [1, 2] } });
$$;
SELECT make_nested();
CREATE FUNCTION make_person() RETURNS people LANGUAGE plts AS $$ export default () => ({ id: 2, name: "Grace", born: "1906-12-09" }) $$;
SELECT * FROM make_person();
-- a missing key is NULL; the composite's text form still works
CREATE FUNCTION half_pair() RETURNS pair LANGUAGE plts AS $$ export default () => ({ a: 1 }) $$;
SELECT half_pair();
CREATE FUNCTION pair_text() RETURNS pair LANGUAGE plts AS $$ export default () => "(3,three)" $$;
SELECT pair_text();
-- errors: a key that is not a column, a wrong type in a nested composite, not an object
CREATE FUNCTION extra_key() RETURNS pair LANGUAGE plts AS $$ export default () => ({ a: 1, c: 2 }) $$;
SELECT extra_key();
CREATE FUNCTION bad_nested() RETURNS nested LANGUAGE plts AS $$ export default () => ({ p: { a: "one" } }) $$;
SELECT bad_nested();
CREATE FUNCTION not_a_row() RETURNS pair LANGUAGE plts AS $$ export default () => [1, "x"] $$;
SELECT not_a_row();
-- ctx.db: composite columns become objects, objects bind as composite parameters
CREATE FUNCTION db_rows() RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.query("SELECT p, ROW(p.id, p.name) AS anon FROM people p");
$$;
SELECT db_rows();
CREATE FUNCTION db_param() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.query("SELECT ($1::pair).b AS b", [{ a: 5, b: "bound" }])[0].b;
$$;
SELECT db_param();
CREATE FUNCTION db_bad_param() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.query("SELECT ($1::pair).b AS b", [{ a: "five" }])[0].b;
$$;
SELECT db_bad_param();
-- arrays of composites and of jsonb, as results and as ctx.db parameters
CREATE FUNCTION make_pairs() RETURNS pair[] LANGUAGE plts AS $$ export default () => [{ a: 1, b: "x" }, null, { a: 2 }] $$;
SELECT make_pairs();
CREATE FUNCTION make_docs() RETURNS jsonb[] LANGUAGE plts AS $$ export default () => [{ k: 1 }, "text", [1, 2]] $$;
SELECT make_docs();
CREATE FUNCTION db_pairs_param() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => ctx.db.query("SELECT sum((p).a)::int AS s FROM unnest($1::pair[]) p", [[{ a: 3, b: "c" }, { a: 4 }]])[0].s;
$$;
SELECT db_pairs_param();
CREATE FUNCTION bad_pairs() RETURNS pair[] LANGUAGE plts AS $$ export default () => [{ a: 1 }, { a: "two" }] $$;
SELECT bad_pairs();
CREATE TYPE pair_list AS (name text, items pair[]);
CREATE FUNCTION bad_pair_list() RETURNS pair_list LANGUAGE plts AS $$
export default () => ({ name: "l", items: [{ a: 1 }, { a: 2 }, { a: 3, b: { no: "text" } }] })
$$;
SELECT bad_pair_list();
-- RETURNS record: the call's column definition list is the row
CREATE FUNCTION any_record() RETURNS record LANGUAGE plts AS $$ export default () => ({ x: 1, y: "one" }) $$;
SELECT * FROM any_record() AS t(x int, y text);
SELECT * FROM any_record() AS t(x int);
SELECT any_record();
