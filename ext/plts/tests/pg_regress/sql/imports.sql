-- Imports: data: URLs work; any other specifier fails naming it and the supported forms.
-- CONTEXT lines carry function OIDs, which differ between runs; errors.sql checks them with the OID masked.
\set SHOW_CONTEXT never
CREATE FUNCTION uses_data_url() RETURNS int LANGUAGE plts AS $$
import triple from "data:text/javascript,export default (x) => x * 3";
export default () => triple(14);
$$;
SELECT uses_data_url();
CREATE FUNCTION uses_relative() RETURNS int LANGUAGE plts AS $$
import x from "./helper.ts";
export default () => x;
$$;
SELECT uses_relative();
CREATE FUNCTION uses_npm() RETURNS int LANGUAGE plts AS $$
import { z } from "npm:zod";
export default () => z.string() ? 1 : 0;
$$;
SELECT uses_npm();
-- no ambient authority: no filesystem, network, process or timers
CREATE FUNCTION ambient() RETURNS jsonb LANGUAGE plts AS $$
export default () => ({
  require: typeof (globalThis as any).require, process: typeof (globalThis as any).process,
  Deno: typeof (globalThis as any).Deno, fetch: typeof (globalThis as any).fetch,
  setTimeout: typeof (globalThis as any).setTimeout, std: typeof (globalThis as any).std, os: typeof (globalThis as any).os,
});
$$;
SELECT ambient();
