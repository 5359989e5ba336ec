-- call_fn: call a live function by environment and name, with the caller's rights.
\set SHOW_CONTEXT never
CREATE SCHEMA callfn_src;
CREATE FUNCTION callfn_src.echo(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default (ctx: any) => ({ echo: ctx.args }) $$;
CREATE FUNCTION callfn_src.gone(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'gone' $$;
SELECT stopgap.deploy('callfn_env', 'callfn_src', 'v1') AS v1 \gset
SELECT stopgap.call_fn('callfn_env', 'echo', '{"a": 1}');
-- NULL args reach the function as null
SELECT stopgap.call_fn('callfn_env', 'echo', NULL);
-- the environment from stopgap.default_env
SELECT stopgap.call_fn('echo', '[1, 2]');
SET stopgap.default_env = 'callfn_env';
SELECT stopgap.call_fn('echo', '[1, 2]');
RESET stopgap.default_env;
-- a function that is still in the live schema but not in the active deployment is refused
DROP FUNCTION callfn_src.gone(jsonb);
SELECT stopgap.deploy('callfn_env', 'callfn_src', 'v2') AS v2 \gset
SELECT live_callfn_env.gone('{}');
SELECT stopgap.call_fn('callfn_env', 'gone', '{}');
-- unknown names
SELECT stopgap.call_fn('callfn_env', 'nope', '{}');
SELECT stopgap.call_fn('callfn_nowhere', 'echo', '{}');
SELECT stopgap.call_fn(NULL, 'echo', '{}');
-- names are identifiers, not SQL: nothing is injected
SELECT stopgap.call_fn('callfn_env', 'echo(''{}''); DROP TABLE x; --', '{}');
-- the call runs with the caller's rights: regress_role lacks stopgap_app, then has it
SET ROLE regress_role;
SELECT stopgap.call_fn('callfn_env', 'echo', '{}');
RESET ROLE;
GRANT stopgap_app TO regress_role;
SET ROLE regress_role;
SELECT stopgap.call_fn('callfn_env', 'echo', '{"as": "regress_role"}');
RESET ROLE;
REVOKE stopgap_app FROM regress_role;
