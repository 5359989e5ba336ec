-- Runaway code ends as an ERROR and the backend lives on: timeouts, memory, recursion.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION spin() RETURNS int LANGUAGE plts AS $$ export default () => { for (;;) {} } $$;
SET statement_timeout = '200ms';
SELECT spin();
RESET statement_timeout;
SET plts.max_runtime_ms = 100;
SELECT spin();
-- a caught exception cannot swallow the interrupt
CREATE FUNCTION spin_catching() RETURNS int LANGUAGE plts AS $$
export default () => { for (;;) { try { for (;;) {} } catch (_e) { /* keep going */ } } };
$$;
SELECT spin_catching();
RESET plts.max_runtime_ms;
SELECT 1 AS backend_alive;
-- memory bomb
SET plts.max_heap_mb = 32;
CREATE FUNCTION bomb() RETURNS int LANGUAGE plts AS $$
export default () => { const keep: string[] = []; for (let i = 0; ; i++) keep.push("x".repeat(1024) + i); };
$$;
SELECT bomb();
RESET plts.max_heap_mb;
SELECT 2 AS backend_alive;
-- deep recursion
CREATE FUNCTION deep() RETURNS int LANGUAGE plts AS $$
const down = (n: number): number => down(n + 1) + 1;
export default () => down(0);
$$;
SELECT deep();
SELECT 3 AS backend_alive;
-- the engine is usable after each of these
CREATE FUNCTION still_ok() RETURNS int LANGUAGE plts AS $$ export default () => 7 $$;
SELECT still_ok();
