-- live schema naming: stopgap.live_schema_prefix (default live_), or a live schema chosen per
-- environment with configure_environment() before its first deployment.
\set SHOW_CONTEXT never
-- the settings exist once the stopgap library is loaded (any stopgap function call loads it)
SELECT stopgap.version() IS NOT NULL AS loaded;
SHOW stopgap.live_schema_prefix;
CREATE SCHEMA naming_src;
CREATE FUNCTION naming_src.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 'named' $$;
-- another prefix for environments created from now on in this session
SET stopgap.live_schema_prefix = 'api_';
SELECT stopgap.deploy('naming_prefixed', 'naming_src', 'n1') > 0 AS deployed;
SELECT live_schema FROM stopgap.environment WHERE env = 'naming_prefixed';
SELECT api_naming_prefixed.f('{}');
RESET stopgap.live_schema_prefix;
-- an explicit live schema
SELECT stopgap.configure_environment('naming_explicit', live_schema => 'naming_api');
SELECT stopgap.deploy('naming_explicit', 'naming_src', 'n1') > 0 AS deployed;
SELECT naming_api.f('{}');
-- once deployed, the live schema cannot move
SELECT stopgap.configure_environment('naming_explicit', live_schema => 'naming_api_v2');
-- the same value again is fine
SELECT stopgap.configure_environment('naming_explicit', live_schema => 'naming_api');
-- a live schema belongs to one environment
SELECT stopgap.configure_environment('naming_third', live_schema => 'naming_api');
-- reserved names
SELECT stopgap.configure_environment('naming_fourth', live_schema => 'pg_catalog');
-- before the first deploy it can still move
SELECT stopgap.configure_environment('naming_moving', live_schema => 'naming_first');
SELECT stopgap.configure_environment('naming_moving', live_schema => 'naming_second');
SELECT live_schema FROM stopgap.environment WHERE env = 'naming_moving';
-- only superusers may change the prefix (it decides which schema a deploy takes)
SET ROLE regress_role;
SET stopgap.live_schema_prefix = 'x_';
RESET ROLE;
