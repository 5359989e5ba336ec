-- plts → SQL → plts: nested calls work and return what the inner call returned (depth: recursion.sql).
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION inner_double(n int) RETURNS int LANGUAGE plts AS $$ export default (_ctx: any, n: number) => n * 2 $$;
CREATE FUNCTION outer_sum(n int) RETURNS int LANGUAGE plts AS $$
export default (ctx: any, n: number) => ctx.db.query("SELECT inner_double($1) AS d", [n])[0].d + 1;
$$;
SELECT outer_sum(20);
CREATE FUNCTION recurse(n int) RETURNS int LANGUAGE plts AS $$
export default (ctx: any, n: number): number => n === 0 ? 0 : ctx.db.query("SELECT recurse($1) AS r", [n - 1])[0].r + 1;
$$;
SELECT recurse(5);
SELECT recurse(20);
