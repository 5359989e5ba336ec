-- The Quickstart demo: run by `./dev demo` against the private cluster. Safe to run again.
\echo '== extensions'
DROP SCHEMA IF EXISTS live_demo CASCADE;
DROP EXTENSION IF EXISTS stopgap;
DROP EXTENSION IF EXISTS plts CASCADE;
CREATE EXTENSION plts;
CREATE EXTENSION stopgap;
SELECT plts.version() AS plts_version, stopgap.version() AS stopgap_version;

\echo '== a TypeScript function: CREATE FUNCTION ... LANGUAGE plts'
CREATE SCHEMA IF NOT EXISTS demo;
CREATE OR REPLACE FUNCTION demo.greet(name text, times int DEFAULT 1) RETURNS text
LANGUAGE plts AS $$
  interface Args { name: string; times: number }
  export default (ctx: { args: Args }): string => {
    const { name, times } = ctx.args;
    return Array.from({ length: times }, () => `hello, ${name}!`).join(" ");
  };
$$;
SELECT demo.greet('world') AS greet, demo.greet('plts', 2) AS greet_twice;

\echo '== (args jsonb) returns jsonb, the shape stopgap deploys'
CREATE OR REPLACE FUNCTION demo.summarize(args jsonb) RETURNS jsonb
LANGUAGE plts AS $$
  type Item = { name: string; price: number };
  export default async (ctx: { args: { items: Item[] } }) => {
    const total = ctx.args.items.reduce((sum, i) => sum + i.price, 0);
    return { count: ctx.args.items.length, total, cheapest: ctx.args.items.toSorted((a, b) => a.price - b.price)[0]?.name };
  };
$$;
SELECT demo.summarize('{"items":[{"name":"tea","price":3},{"name":"cake","price":5}]}') AS summary;

\echo '== a TypeScript error is reported with its TypeScript line'
CREATE OR REPLACE FUNCTION demo.fails(n int) RETURNS int
LANGUAGE plts AS $$
  export default (_ctx: unknown, n: number): number => {
    if (n > 1) {
      throw new RangeError(`n must be at most 1, got ${n}`);
    }
    return n;
  };
$$;
DO $$
DECLARE msg text; detail text; context text;
BEGIN
  PERFORM demo.fails(2);
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL, context = PG_EXCEPTION_CONTEXT;
  RAISE NOTICE E'caught: %\nstack: %\ncontext: %', msg, detail, split_part(context, E'\n', 1);
END $$;
