-- ctx.log.debug/info/notice/warn map to DEBUG1, INFO, NOTICE, WARNING.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION logs() RETURNS int LANGUAGE plts AS $$
export default (ctx: any) => {
  ctx.log.debug("not shown at the default client_min_messages");
  ctx.log.info("info", 1);
  ctx.log.notice("notice with an object", { a: [1, 2] });
  ctx.log.warn("warning");
  return 1;
};
$$;
SELECT logs();
SET client_min_messages = debug1;
SELECT logs();
RESET client_min_messages;
