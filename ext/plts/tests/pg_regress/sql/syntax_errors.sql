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
-- window functions are refused up front
CREATE FUNCTION win() RETURNS int WINDOW LANGUAGE plts AS $$ export default () => 1 $$;
-- a call that reaches one anyway (here a catalog edited by hand) is refused with the same words
CREATE FUNCTION win_later() RETURNS int LANGUAGE plts AS $$ export default () => 1 $$;
UPDATE pg_proc SET prokind = 'w' WHERE proname = 'win_later';
SELECT win_later() OVER ();
-- a plv8-style body (a bare return) says what a plts body is
CREATE FUNCTION plv8_style(a int) RETURNS int LANGUAGE plts AS $$ return a * 2; $$;
