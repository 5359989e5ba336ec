-- WINDOW functions: ctx.window gives the window API (positions, the partition's size, peers, the mark,
-- arguments of other rows in the partition or frame, partition-local storage). row_number, rank, ntile, lag
-- and first_value written in plts give what the built-ins give.
\set SHOW_CONTEXT never
CREATE TABLE win_scores (team text, player text, score int);
INSERT INTO win_scores VALUES ('a', 'ann', 10), ('a', 'bob', 20), ('a', 'cid', 20), ('a', 'dan', 30),
  ('b', 'eve', 5), ('b', 'fay', 5), ('b', 'gus', 7), ('c', 'hal', 1);
CREATE FUNCTION ts_row_number() RETURNS bigint WINDOW LANGUAGE plts AS $$
export default (ctx: any) => ctx.window.position() + 1;
$$;
CREATE FUNCTION ts_rank() RETURNS bigint WINDOW LANGUAGE plts AS $$
export default (ctx: any) => {
  const w = ctx.window;
  const pos = w.position();
  if (pos === 0 || !w.rowsArePeers(pos - 1, pos)) w.partition.rank = pos + 1;
  return w.partition.rank;
};
$$;
CREATE FUNCTION ts_ntile(buckets int) RETURNS int WINDOW LANGUAGE plts AS $$
export default (ctx: any, buckets: number) => {
  const total = ctx.window.partitionRowCount();
  const pos = ctx.window.position();
  const per = Math.floor(total / buckets), extra = total % buckets;
  // the first `extra` buckets hold one row more, as ntile() does
  const big = (per + 1) * extra;
  return pos < big ? Math.floor(pos / (per + 1)) + 1 : extra + Math.floor((pos - big) / Math.max(per, 1)) + 1;
};
$$;
CREATE FUNCTION ts_lag(v anyelement) RETURNS anyelement WINDOW LANGUAGE plts AS $$
export default (ctx: any) => ctx.window.argInPartition(0, -1, "current") ?? null;
$$;
CREATE FUNCTION ts_first_value(v text) RETURNS text WINDOW LANGUAGE plts AS $$
export default (ctx: any) => ctx.window.argInFrame(0, 0, "head") ?? null;
$$;
SELECT team, player, score,
       ts_row_number() OVER w = row_number() OVER w AS row_number_ok,
       ts_rank() OVER w = rank() OVER w AS rank_ok,
       ts_ntile(3) OVER w = ntile(3) OVER w AS ntile_ok,
       ts_lag(score) OVER w IS NOT DISTINCT FROM lag(score) OVER w AS lag_ok,
       ts_first_value(player) OVER w = first_value(player) OVER w AS first_value_ok,
       ts_rank() OVER w AS rank, ts_lag(score) OVER w AS lag
FROM win_scores WINDOW w AS (PARTITION BY team ORDER BY score) ORDER BY team, score, player;
-- the current row's arguments arrive as the handler's positional arguments too
CREATE FUNCTION ts_running_max(v int) RETURNS int WINDOW LANGUAGE plts AS $$
export default (ctx: any, v: number) => {
  const p = ctx.window.partition;
  p.max = Math.max(p.max ?? -Infinity, v, ctx.window.argCurrent(0));
  return p.max;
};
$$;
SELECT team, score, ts_running_max(score) OVER (PARTITION BY team ORDER BY player) AS running_max
FROM win_scores ORDER BY team, player;
-- errors: the window API outside a window call, a missing argument, a bad seek type
CREATE FUNCTION ts_not_window() RETURNS text LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.window.position(); return "ok"; } catch (e: any) { return `${e.code}: ${e.message}`; } };
$$;
SELECT ts_not_window();
CREATE FUNCTION ts_bad_arg() RETURNS text WINDOW LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.window.argCurrent(3); return "ok"; } catch (e: any) { return `${e.code}: ${e.message}`; } };
$$;
SELECT ts_bad_arg() OVER () FROM (VALUES (1)) v(x);
CREATE FUNCTION ts_bad_seek() RETURNS text WINDOW LANGUAGE plts AS $$
export default (ctx: any) => { try { ctx.window.argInPartition(0, 0, "middle"); return "ok"; } catch (e: any) { return e.message; } };
$$;
SELECT ts_bad_seek() OVER () FROM (VALUES (1)) v(x);
