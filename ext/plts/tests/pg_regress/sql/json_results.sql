-- json/jsonb results: plts writes plain data (literal objects and arrays, strings, numbers,
-- booleans, null) as JSON text itself, and leaves everything else to JSON.stringify. Either
-- way the text must be exactly JSON.stringify's: json_case returns case i as json (the text
-- is kept as written), json_case_stringified returns JSON.stringify of the same value.
\set SHOW_CONTEXT never
DO $$
DECLARE cases text := $cases$[
  () => ({}),
  () => [],
  () => ({ a: 1, b: "two", c: [true, false, null], d: { e: { f: -3.5 } } }),
  () => ({ b: 1, 2: "two", a: 3, 1: "one", "10": 10 }),
  () => ({ skipped: undefined, kept: 1, alsoSkipped: undefined }),
  () => [undefined, 1, undefined],
  () => ({ q: "quote\" back\\slash / tab\t nl\n cr\r bs\b ff\f nul\u0000 unit\u001f del\u007f" }),
  () => ({ "naïve ключ": "日本語 é 😀 \u2028 \u2029" }),
  () => ({ nums: [0, -0, 1.5, -1e-7, 1e21, 1e-7, 123456789012345680000, 2 ** 53, 2 ** 53 + 2, 9e15, -9e15, 0.1 + 0.2, 5e-324, 1.7976931348623157e308] }),
  () => ({ nan: NaN, inf: Infinity, ninf: -Infinity }),
  () => JSON.parse('{"__proto__": {"own": true}, "constructor": 1}'),
  () => Object.assign(Object.create(null), { bare: true }),
  () => "just a string",
  () => 42,
  () => 2.5,
  () => true,
  () => ({ deep: [[[[[[[[[[{ x: [1] }]]]]]]]]]] }),
  () => ({ when: new Date(0) }),
  () => ({ custom: { toJSON: () => "custom" } }),
  () => ({ get computed() { return 7; } }),
  () => ({ instance: new (class Point { x = 1; y = 2; })() }),
  () => ({ map: new Map([[1, 2]]), set: new Set([1]) }),
  () => ({ lone: "a\ud800b", pair: "\ud83d\ude00" }),
  () => ({ fn: () => 1, sym: Symbol("s"), kept: 2 }),
  () => [() => 1, Symbol("s")],
  () => ({ boxed: [new Number(1), new String("s"), new Boolean(false)] }),
  () => [ , 1],
  () => Object.assign([1, 2], { extra: true }),
  () => new Proxy({ a: 1 }, {}),
  () => Object.defineProperty({ visible: 1 }, "hidden", { value: 2, enumerable: false }),
  () => ({ [Symbol("key")]: 1, text: 2 }),
  () => ({ bytes: new Uint8Array([1, 2]) }),
  () => "x".repeat(3) + "y".repeat(2),
  () => ({ rope: "abcdefghijklmnopqrstuvwxyz".repeat(20) + "!" }),
  () => Object.defineProperty({ a: 1 }, "toJSON", { value: () => "non-enumerable toJSON", enumerable: false }),
  () => Object.assign([1, 2], { toJSON: () => "an array's own toJSON" }),
  () => Object.defineProperty([1, 2], 0, { get: () => "from a getter", enumerable: true }),
  () => ({ nested: Object.defineProperty({}, "toJSON", { value: () => "deep", enumerable: false }) }),
  () => ({ prices: [-324.15, 0.07, -323.78, 19.99, 4503599627370495.5, 1234.5678] })
]$cases$;
BEGIN
  EXECUTE format('CREATE FUNCTION json_case(i int) RETURNS json LANGUAGE plts AS %L',
    'const cases = ' || cases || '; export default (_ctx: unknown, i: number) => cases[i]();');
  EXECUTE format('CREATE FUNCTION json_case_stringified(i int) RETURNS text LANGUAGE plts AS %L',
    'const cases = ' || cases || '; export default (_ctx: unknown, i: number) => JSON.stringify(cases[i]()) ?? null;');
  EXECUTE format('CREATE FUNCTION json_case_count() RETURNS int LANGUAGE plts AS %L',
    'const cases = ' || cases || '; export default () => cases.length;');
END $$;
SELECT i, json_case(i)::text IS NOT DISTINCT FROM json_case_stringified(i) AS same_as_stringify, json_case(i)::text AS text
FROM generate_series(0, json_case_count() - 1) i;
-- jsonb results go through the same text
CREATE FUNCTION jsonb_case(i int) RETURNS jsonb LANGUAGE plts AS $$
export default (_ctx: unknown, i: number) => [{ b: 1, a: [1.5, "x", null] }, { when: new Date(0) }][i];
$$;
SELECT jsonb_case(0) AS plain, jsonb_case(1) AS with_date;
-- a toJSON on Object.prototype or Array.prototype applies to every plain value, as in JSON.stringify
CREATE FUNCTION with_prototype_tojson(proto text) RETURNS json LANGUAGE plts AS $$
export default (_ctx: unknown, proto: string) => {
  delete (Object.prototype as any).toJSON;
  delete (Array.prototype as any).toJSON;
  if (proto !== "none") {
    const target: any = proto === "object" ? Object.prototype : Array.prototype;
    Object.defineProperty(target, "toJSON", { value: () => "from " + proto, configurable: true });
  }
  return { a: [1] };
};
$$;
SELECT with_prototype_tojson('object') AS object_tojson;
SELECT with_prototype_tojson('array') AS array_tojson;
SELECT with_prototype_tojson('none') AS no_tojson;
-- what JSON.stringify rejects is still rejected, with its message
CREATE FUNCTION json_cycle() RETURNS json LANGUAGE plts AS $$
export default () => { const a: any = { name: "a" }; a.self = a; return a; };
$$;
SELECT json_cycle();
CREATE FUNCTION json_bigint_in_array() RETURNS jsonb LANGUAGE plts AS $$ export default () => [1, 2n] $$;
SELECT json_bigint_in_array();
-- a Proxy goes to JSON.stringify without its getPrototypeOf trap being run first
CREATE FUNCTION proxy_result(probe boolean) RETURNS jsonb LANGUAGE plts AS $$
let trapped = 0;
const proxy = new Proxy({ a: 1 }, { getPrototypeOf() { trapped++; throw new Error("getPrototypeOf ran"); } });
export default (_ctx: unknown, probe: boolean) => probe ? { trapped } : proxy;
$$;
SELECT proxy_result(false) AS proxy, proxy_result(true) AS traps;
