-- The validator compiles at CREATE FUNCTION and reports TypeScript errors with line, column and caret.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION broken(n int) RETURNS int LANGUAGE plts AS $$
export default (ctx: unknown, n: number): number => {
  const doubled: number = n * ;
  return doubled;
};
$$;
-- check_function_bodies = off defers the error to the first call
SET check_function_bodies = off;
CREATE FUNCTION broken_later() RETURNS int LANGUAGE plts AS $$ export default () => { return ( $$;
RESET check_function_bodies;
SELECT broken_later();
-- a body without a default export compiles, but calling it says what to write
CREATE FUNCTION no_entry() RETURNS int LANGUAGE plts AS $$ export const x = 1; $$;
SELECT no_entry();
-- a plv8-style body (a bare return) says what a plts body is
CREATE FUNCTION plv8_style(a int) RETURNS int LANGUAGE plts AS $$ return a * 2; $$;
