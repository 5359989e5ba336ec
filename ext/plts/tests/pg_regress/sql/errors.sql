-- An uncaught JS exception is an ERROR: the JS message, a stack with TypeScript lines, a CONTEXT line.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION throws(n int) RETURNS int LANGUAGE plts AS $$
type Check = (n: number) => void;
const check: Check = (n) => {
  if (n > 1) {
    throw new RangeError(`n must be at most 1, got ${n}`);
  }
};
export default (_ctx: unknown, n: number): number => {
  check(n);
  return n;
};
$$;
SELECT throws(1);
SELECT throws(2);
-- non-Error values thrown
CREATE FUNCTION throws_value(kind text) RETURNS int LANGUAGE plts AS $$
export default (_ctx: unknown, kind: string) => {
  if (kind === "string") throw "plain string";
  if (kind === "object") throw { code: 42, why: "object" };
  if (kind === "undefined") throw undefined;
  if (kind === "null") throw null;
  return 0;
};
$$;
SELECT throws_value('string');
SELECT throws_value('object');
SELECT throws_value('undefined');
SELECT throws_value('null');
-- JS errors are catchable in PL/pgSQL like any ERROR: SQLSTATE P0001, the TS stack as DETAIL, the
-- function as the first CONTEXT line (OID masked: it differs between runs)
DO $$
DECLARE state text; msg text; detail text; context text;
BEGIN
  PERFORM throws(5);
EXCEPTION WHEN raise_exception THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                          context = PG_EXCEPTION_CONTEXT;
  RAISE NOTICE E'sqlstate: %\nmessage: %\ndetail: %\ncontext: %', state, msg, detail,
    regexp_replace(split_part(context, E'\n', 1), '\(\d+\)', '(<oid>)');
END $$;
-- a TypeError from the engine itself
CREATE FUNCTION type_error() RETURNS int LANGUAGE plts AS $$ export default () => (null as any).x $$;
SELECT type_error();
