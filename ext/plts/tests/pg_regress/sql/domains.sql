-- Domains over scalar types: a value is its base type's in JS (a domain over integer is a
-- number), and a value going back to a domain is checked against its constraints, as a cast is.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE DOMAIN required_text AS text NOT NULL;
CREATE DOMAIN price AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE DOMAIN moment AS timestamptz;
CREATE DOMAIN tags AS text[];
-- arguments: the base type's JS value
CREATE FUNCTION domain_types(a positive_int, b required_text, c price, d moment, e tags) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, ...values: unknown[]) =>
  values.map((v) => `${v instanceof Date ? "Date" : Array.isArray(v) ? "array" : typeof v}:${v instanceof Date ? v.toISOString() : JSON.stringify(v)}`).join(" ");
$$;
SELECT domain_types(5, 'x', 12.5, '2026-01-02 03:04:05+00', '{a,b}');
-- results: converted as the base type, then checked
CREATE FUNCTION next_positive(n int) RETURNS positive_int LANGUAGE plts AS $$
export default (_ctx: unknown, n: number) => n + 1;
$$;
SELECT next_positive(1), pg_typeof(next_positive(1));
SELECT next_positive(-5);
CREATE FUNCTION maybe_text(give boolean) RETURNS required_text LANGUAGE plts AS $$
export default (_ctx: unknown, give: boolean) => (give ? "here" : null);
$$;
SELECT maybe_text(true);
SELECT maybe_text(false);
CREATE FUNCTION wrong_type() RETURNS positive_int LANGUAGE plts AS $$ export default () => "many" $$;
SELECT wrong_type();
-- ctx.db: a domain parameter takes the base type's JS value; a violation is the statement's error
CREATE TABLE domain_items (id positive_int, cost price);
CREATE FUNCTION insert_item(id int, cost numeric) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, id: number, cost: number) => {
  try {
    ctx.db.exec("INSERT INTO domain_items VALUES ($1::positive_int, $2::price)", [id, cost]);
    return "inserted";
  } catch (e: any) {
    return `${e.code}: ${e.message}`;
  }
};
$$;
SELECT insert_item(1, 9.99), insert_item(0, 1), insert_item(2, -1);
CREATE FUNCTION read_items() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => JSON.stringify(ctx.db.query("SELECT id, cost FROM domain_items"));
$$;
SELECT read_items();
-- arrays of a domain
CREATE FUNCTION positives(n int) RETURNS positive_int[] LANGUAGE plts AS $$
export default (_ctx: unknown, n: number) => Array.from({ length: n }, (_, i) => i + 1);
$$;
SELECT positives(3);
CREATE FUNCTION bad_positives() RETURNS positive_int[] LANGUAGE plts AS $$ export default () => [1, 0] $$;
SELECT bad_positives();
