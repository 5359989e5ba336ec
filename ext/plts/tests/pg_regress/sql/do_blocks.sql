-- DO blocks run TypeScript: the module body runs, and a default export is called if present.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
DO $$ const x: number = 1; if (x !== 1) throw new Error("unreachable"); $$ LANGUAGE plts;
DO $$ export default (ctx: { args: object }) => { if (typeof ctx.args !== "object") throw new Error("no ctx"); } $$ LANGUAGE plts;
DO $$ throw new Error("from a DO block"); $$ LANGUAGE plts;
DO $$ let broken: = 1; $$ LANGUAGE plts;
