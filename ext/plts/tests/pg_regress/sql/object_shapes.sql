-- plts keeps the shapes of the objects it builds from jsonb and rows (one object per key prefix,
-- per context, bounded), so the next object with the same keys is cheaper to build. Nothing a
-- handler sees changes, and contexts that end (DO blocks) take their kept objects with them.
CREATE FUNCTION shape_echo(doc jsonb) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, doc: unknown) => doc;
$$;
-- thousands of distinct key sequences, past the bound: every document comes back whole
SELECT count(*) AS docs, count(*) FILTER (WHERE shape_echo(d) IS DISTINCT FROM d) AS differ
FROM (SELECT jsonb_build_object('k' || g, g, 'n' || (g % 7), g % 3, 'shared', true) AS d
      FROM generate_series(1, 3000) g) s;
-- the same keys in documents of different orders and nesting
SELECT shape_echo('{"b": 1, "a": {"b": 2, "a": [3]}}'), shape_echo('{"a": {"a": [3], "b": 2}, "b": 1}');
-- kept shapes are invisible: keys, order, descriptors and prototypes are those of a fresh object
CREATE FUNCTION shape_details(doc jsonb) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, doc: any) => ({
  keys: Object.keys(doc),
  descriptor: Object.getOwnPropertyDescriptor(doc, "id"),
  plain: Object.getPrototypeOf(doc) === Object.prototype,
  extensible: Object.isExtensible(doc),
});
$$;
SELECT shape_details('{"id": 1, "name": "tea"}'), shape_details('{"id": 2, "name": "coffee"}');
-- DO blocks run in contexts of their own, dropped at their end, with the objects kept for them
DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXECUTE format($do$DO $js$ export default (ctx: any) => {
      const rows = ctx.db.query("SELECT jsonb_build_object('id', %s, 'tags', jsonb_build_array('a')) AS doc, %s AS n");
      if (rows[0].doc.id !== %s || rows[0].n !== %s) throw new Error("wrong row");
    } $js$ LANGUAGE plts$do$, i, i, i, i);
  END LOOP;
END $$;
SELECT shape_echo('{"after": "do blocks"}');
