-- plts.check_function loads a function's module as its first call would, without calling it, and
-- says what its default export is; a module that cannot load fails it with the module's own error.
\set SHOW_CONTEXT never
CREATE FUNCTION lc_plain(a int) RETURNS int LANGUAGE plts AS $$ export default (_ctx: unknown, a: number) => a; $$;
CREATE FUNCTION lc_query(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { query, v } from "@stopgap/runtime";
export default query(v.object({}), () => 1);
$$;
CREATE FUNCTION lc_mutation(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
import { mutation, v } from "@stopgap/runtime";
export default mutation(v.object({}), () => 1);
$$;
SELECT plts.check_function('lc_plain(int)'::regprocedure), plts.check_function('lc_query(jsonb)'::regprocedure),
       plts.check_function('lc_mutation(jsonb)'::regprocedure);
-- Nothing was called: a handler that would fail is still only loaded.
CREATE FUNCTION lc_fails_when_called() RETURNS int LANGUAGE plts AS $$ export default () => { throw new Error("called"); }; $$;
SELECT plts.check_function('lc_fails_when_called()'::regprocedure);
-- A throw at load time, a global plts lacks, a default export that is not a function, no default export.
CREATE FUNCTION lc_throws() RETURNS int LANGUAGE plts AS $$
const config = JSON.parse("{not json");
export default () => config;
$$;
SELECT plts.check_function('lc_throws()'::regprocedure);
CREATE FUNCTION lc_fetch() RETURNS int LANGUAGE plts AS $$
const data = await fetch("https://example.com");
export default () => 1;
$$;
SELECT plts.check_function('lc_fetch()'::regprocedure);
CREATE FUNCTION lc_object() RETURNS int LANGUAGE plts AS $$ export default { answer: 42 }; $$;
SELECT plts.check_function('lc_object()'::regprocedure);
CREATE FUNCTION lc_none() RETURNS int LANGUAGE plts AS $$ export const x = 1; $$;
SELECT plts.check_function('lc_none()'::regprocedure);
-- Not a plts function; and loading needs the right to execute it.
SELECT plts.check_function('lower(text)'::regprocedure);
CREATE ROLE lc_stranger;
REVOKE EXECUTE ON FUNCTION lc_plain(int) FROM PUBLIC;
SET ROLE lc_stranger;
SELECT plts.check_function('lc_plain(int)'::regprocedure);
RESET ROLE;
DROP ROLE lc_stranger;
