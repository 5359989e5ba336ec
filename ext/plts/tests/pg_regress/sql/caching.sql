-- Compiled functions are cached per backend and per call site; a new version is always the one that runs.
\set SHOW_CONTEXT never
CREATE FUNCTION cached_version() RETURNS int LANGUAGE plts AS $$ export default () => 1; $$;
SELECT cached_version();
CREATE OR REPLACE FUNCTION cached_version() RETURNS int LANGUAGE plts AS $$ export default () => 2; $$;
SELECT cached_version();
-- A call site that stays open while the function is replaced (the rows of one query) runs the new
-- body from the next call on.
CREATE FUNCTION self_replacing() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => {
  ctx.db.exec("CREATE OR REPLACE FUNCTION self_replacing() RETURNS int LANGUAGE plts AS 'export default () => 2;'");
  return 1;
};
$$;
SELECT i, self_replacing() FROM generate_series(1, 3) i;
-- Dropping and re-creating under the same name gives a new function, called fresh.
DROP FUNCTION cached_version();
CREATE FUNCTION cached_version() RETURNS text LANGUAGE plts AS $$ export default () => "recreated"; $$;
SELECT cached_version();
