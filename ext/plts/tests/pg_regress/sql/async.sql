-- Async handlers: awaited to completion; a promise that can never settle is a clear ERROR.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION async_sum(args jsonb) RETURNS jsonb LANGUAGE plts AS $$
const later = async (x: number) => { await null; return x; };
export default async (ctx: { args: number[] }) => {
  let total = 0;
  for (const x of ctx.args) total += await later(x);
  return { total };
};
$$;
SELECT async_sum('[1, 2, 3]');
CREATE FUNCTION async_rejects() RETURNS int LANGUAGE plts AS $$
export default async () => { await Promise.resolve(); throw new Error("rejected after await"); };
$$;
SELECT async_rejects();
CREATE FUNCTION never_settles() RETURNS int LANGUAGE plts AS $$ export default () => new Promise<number>(() => {}) $$;
SELECT never_settles();
-- top-level await in the module body
CREATE FUNCTION tla() RETURNS int LANGUAGE plts AS $$
const base = await Promise.resolve(40);
export default () => base + 2;
$$;
SELECT tla();
