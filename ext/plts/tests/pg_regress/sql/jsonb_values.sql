-- jsonb arguments: JavaScript sees exactly what JSON.parse of the document's text gives, for every
-- shape of document. json_parity compares both readings of the same document in JS.
\set SHOW_CONTEXT never
CREATE FUNCTION json_parity(doc jsonb, doc_text text) RETURNS text LANGUAGE plts AS $$
const same = (a: unknown, b: unknown): boolean => {
  if (typeof a !== typeof b) return false;
  if (a === null || typeof a !== "object") return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a as object), kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] &&
    Object.prototype.hasOwnProperty.call(b, k) && same((a as any)[k], (b as any)[k]));
};
export default (_ctx: unknown, doc: unknown, text: string): string =>
  same(doc, JSON.parse(text)) ? "same" : `differs: ${JSON.stringify(doc)} vs ${text}`;
$$;
CREATE TABLE docs (label text, doc jsonb);
INSERT INTO docs VALUES
  ('empty object', '{}'), ('empty array', '[]'), ('null', 'null'), ('true', 'true'), ('string', '"s"'),
  ('integer', '42'), ('negative', '-7'), ('fraction', '0.1'), ('long fraction', '3.141592653589793238462643383279'),
  ('beyond 2^53', '12345678901234567890'), ('tiny', '1e-320'), ('huge', '1e400'), ('negative zero', '-0'),
  ('exponent', '6.02e23'), ('trailing zeros', '1.500'),
  ('nested', '{"a": [1, 2, {"b": null, "c": [true, false]}], "d": {"e": {"f": "g"}}}'),
  ('key order', '{"zz": 1, "a": 2, "10": 3, "2": 4, "bb": 5}'),
  ('unicode', '{"naïve": "日本語 \u00e9 \ud83d\ude00", "esc": "tab\tquote\"back\\slash\nnl"}'),
  ('proto key', '{"__proto__": {"polluted": true}, "constructor": 1}'),
  ('array of scalars', '[null, 1, "x", true, [], {}]'),
  ('aligned children', '["a", {"x": 1}, "abc", [1.5], "ab", 2.25, {"y": [true]}, "abcd", -0.5]'),
  ('unicode keys', '{"é": 1, "日本": 2, "😀": 3, "e": 4}'),
  ('integers', '[0, -5, 9999, 10000, 10001, 12340000, 99999999, 100000000, -99999999, 1.0, 10.50, 1e3]');
-- jsonb stores an offset instead of a length in every 32nd entry: documents with more children
INSERT INTO docs SELECT 'many keys', jsonb_object_agg('key' || g, CASE WHEN g % 3 = 0 THEN to_jsonb(g * 1.5) ELSE to_jsonb(repeat('x', g)) END) FROM generate_series(1, 70) g;
INSERT INTO docs SELECT 'many elements', jsonb_agg(CASE g % 4 WHEN 0 THEN to_jsonb(g) WHEN 1 THEN to_jsonb(repeat('y', g)) WHEN 2 THEN jsonb_build_object('n', g) ELSE jsonb_build_array(g, null) END) FROM generate_series(1, 70) g;
SELECT label, json_parity(doc, doc::text) FROM docs ORDER BY label;
-- a "__proto__" key is an own property, not the object's prototype
CREATE FUNCTION proto_check(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
export default (ctx: { args: any }) => ({
  own: Object.prototype.hasOwnProperty.call(ctx.args, "__proto__"),
  plainPrototype: Object.getPrototypeOf(ctx.args) === Object.prototype,
  polluted: ({} as any).polluted ?? null,
});
$$;
SELECT proto_check('{"__proto__": {"polluted": true}}');
-- a non-ASCII key is never mistaken for a Latin-1 key of the same bytes ("é" is C3 A9 in UTF-8)
CREATE FUNCTION key_identity(doc jsonb) RETURNS text LANGUAGE plts AS $$
const latin1 = { "\u00c3\u00a9": "made first" };
export default (_ctx: unknown, doc: any): string => JSON.stringify([Object.keys(doc), doc["é"] ?? null, doc["\u00c3\u00a9"] ?? null, Object.keys(latin1)]);
$$;
SELECT key_identity('{"é": 1}'), key_identity('{"é": 1}') AS again;
-- deeply nested documents
SELECT json_parity(d, d::text) AS deep_300 FROM (SELECT (repeat('[', 300) || '1' || repeat(']', 300))::jsonb AS d) s;
SELECT json_parity(d, d::text) AS deep_100 FROM (SELECT (repeat('[', 100) || '1' || repeat(']', 100))::jsonb AS d) s;
SELECT json_parity(d, d::text) AS deep_256 FROM (SELECT (repeat('{"a":', 256) || '1' || repeat('}', 256))::jsonb AS d) s;
-- jsonb columns read by ctx.db.query get the same mapping
CREATE FUNCTION query_docs() RETURNS text LANGUAGE plts AS $$
export default (ctx: any): string => {
  const rows = ctx.db.query("select label, doc, doc::text as doc_text from docs order by label");
  const bad = rows.filter((r: any) => JSON.stringify(r.doc) !== JSON.stringify(JSON.parse(r.doc_text)));
  return `${rows.length} rows, ${bad.length} differ`;
};
$$;
SELECT query_docs();
-- jsonb elements of arrays
CREATE FUNCTION first_of(docs jsonb[]) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, docs: unknown[]) => docs[0];
$$;
SELECT first_of(ARRAY['{"a": 1}'::jsonb, '[2]'::jsonb]);
-- key atoms are kept per runtime, up to 1,024 keys of up to 48 bytes; keys past either limit are made
-- anew at each use. Thousands of distinct keys, short and long, ASCII and not, read and written back alike.
CREATE FUNCTION echo_doc(doc jsonb) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, doc: unknown) => doc;
$$;
SELECT echo_doc(d) = d AS same, json_parity(d, d::text) AS parity
FROM (SELECT jsonb_object_agg(CASE WHEN g % 3 = 0 THEN 'ключ' ELSE 'k' END || g || repeat('x', g % 70), g) AS d
      FROM generate_series(1, 3000) g) s;
SELECT echo_doc(d) = d AS again FROM (SELECT jsonb_object_agg('k' || g, g) AS d FROM generate_series(1, 3000) g) s;
SELECT key_identity('{"é": 1}') AS after_many_keys;
