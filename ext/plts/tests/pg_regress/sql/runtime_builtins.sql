-- @stopgap/runtime and valibot are built into plts: query/mutation wrappers validate arguments, a query
-- runs read-only (enforced by PostgreSQL), a mutation writes.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price numeric NOT NULL);
INSERT INTO products VALUES (1, 'tea', 3.5);
CREATE FUNCTION get_product(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { query, v } from "@stopgap/runtime";
export default query(v.object({ id: v.number() }), async ({ id }, ctx) => {
  const [row] = await ctx.db.query("SELECT id, name, price FROM products WHERE id = $1", [id]);
  return row ?? null;
});
$$;
SELECT get_product('{"id": 1}'), get_product('{"id": 2}') IS NULL AS missing_is_null;
-- invalid arguments: SQLSTATE 22023, one issue per path
SELECT get_product('{"id": "1"}');
SELECT get_product('{}');
DO $$
BEGIN
  PERFORM get_product('[]');
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'SQLSTATE % (invalid_parameter_value): %', SQLSTATE, SQLERRM;
END $$;
-- a query cannot write, even though the function is VOLATILE
CREATE FUNCTION sneaky_query(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { query, v } from "@stopgap/runtime";
export default query(v.object({}), async (_args, ctx: any) => ctx.db.exec("DELETE FROM products"));
$$;
SELECT sneaky_query('{}');
SELECT count(*) AS products_left FROM products;
-- a mutation writes; its result is checked by the returns schema
CREATE FUNCTION add_product(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { mutation, v } from "@stopgap/runtime";
const Product = v.object({ id: v.number(), name: v.pipe(v.string(), v.minLength(1)), price: v.pipe(v.number(), v.minValue(0)) });
export default mutation(Product, async (p, ctx) => {
  await ctx.db.exec("INSERT INTO products VALUES ($1, $2, $3)", [p.id, p.name, p.price]);
  return { id: p.id };
}, { returns: v.object({ id: v.number() }) });
$$;
SELECT add_product('{"id": 2, "name": "cake", "price": 4}');
SELECT add_product('{"id": "3", "name": "", "price": -1}');
CREATE FUNCTION bad_result(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { mutation, v } from "@stopgap/runtime";
export default mutation(v.object({}), () => ({ id: "not a number" }), { returns: v.object({ id: v.number() }) });
$$;
SELECT bad_result('{}');
-- metadata is on the wrapped handler; valibot is importable on its own and is the same instance
CREATE FUNCTION meta(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { query, v as rv } from "@stopgap/runtime";
import * as v from "valibot";
const q = query(v.object({ n: v.number() }), ({ n }) => n);
export default () => ({ kind: q.kind, sameValibot: rv.object === v.object, schema: q.argsJsonSchema });
$$;
SELECT meta('{}');
