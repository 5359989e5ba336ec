-- DO blocks run TypeScript: the module body runs, and a default export is called if present.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
DO $$ const x: number = 1; if (x !== 1) throw new Error("unreachable"); $$ LANGUAGE plts;
DO $$ export default (ctx: { args: object }) => { if (typeof ctx.args !== "object") throw new Error("no ctx"); } $$ LANGUAGE plts;
DO $$ throw new Error("from a DO block"); $$ LANGUAGE plts;
DO $$ let broken: = 1; $$ LANGUAGE plts;
-- Each DO block runs in a JS context of its own, discarded at its end: its globals are seen neither by
-- later DO blocks nor by functions, and thousands of DO blocks leave nothing behind in the heap (were
-- their modules kept, an 8 MB heap would run out after ~4,000 blocks that each export a value).
DO $$ (globalThis as any).fromDo = "set by a DO block"; $$ LANGUAGE plts;
DO $$ if ((globalThis as any).fromDo !== undefined) throw new Error("a DO block saw another's global"); $$ LANGUAGE plts;
CREATE FUNCTION sees_do_global() RETURNS text LANGUAGE plts AS $$ export default () => String((globalThis as any).fromDo); $$;
SELECT sees_do_global();
SET plts.max_heap_mb = 8;
DO $outer$
BEGIN
  FOR i IN 1..6000 LOOP
    EXECUTE format('DO %L LANGUAGE plts', 'export const value' || i || ' = { list: [1, 2, 3], text: "' || repeat('y', 100) || '" };');
  END LOOP;
END $outer$;
RESET plts.max_heap_mb;
SELECT 'ran 6000 DO blocks in an 8 MB heap' AS result;
