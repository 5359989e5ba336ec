-- What a statement pallocs (bound parameters, parse trees, detoasted values) is freed when the
-- statement ends, not when the call returns: a loop of statements runs in bounded memory. Held
-- until the call returned, each statement below would keep ~20 kB (2,000 statements: ~40 MB).
CREATE FUNCTION statement_memory_growth(n int) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, n: number) => {
  const big = "x".repeat(10000);
  const total = () => Number(ctx.db.query("SELECT sum(total_bytes)::int8 AS b FROM pg_backend_memory_contexts")[0].b);
  const loop = (count: number) => {
    for (let i = 0; i < count; i++) ctx.db.query("SELECT length($1::text) AS l", [big]);
  };
  loop(100);
  const before = total();
  loop(n);
  const grown = total() - before;
  return grown < 2_000_000 ? "bounded" : `grew by ${grown} bytes`;
};
$$;
SELECT statement_memory_growth(2000);
-- the same for statements of a plts function called by another one's statement (a level deeper)
CREATE FUNCTION nested_statement_memory_growth(n int) RETURNS text LANGUAGE plts AS $$
export default (ctx: any, n: number) => ctx.db.query("SELECT statement_memory_growth($1) AS r", [n])[0].r;
$$;
SELECT nested_statement_memory_growth(2000);
