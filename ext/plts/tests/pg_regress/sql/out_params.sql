-- OUT and INOUT parameters: inputs are named and positioned among the inputs only; the handler
-- returns an object keyed by the OUT names (other keys are ignored), or with one output the value.
\set SHOW_CONTEXT never
CREATE FUNCTION out_first(OUT o text, i int) LANGUAGE plts AS $$
export default (ctx: { args: { i: number } }, i: number) => `args ${JSON.stringify(ctx.args)}, positional ${i}`;
$$;
SELECT out_first(123);
CREATE FUNCTION two_outs(a int, OUT doubled int, OUT label text) LANGUAGE plts AS $$
export default (_ctx: unknown, a: number) => ({ doubled: a * 2, label: `n${a}`, ignored: true });
$$;
SELECT * FROM two_outs(21);
SELECT two_outs(1);
-- a missing OUT key is NULL; undefined is a NULL record
CREATE FUNCTION partial_out(OUT x int, OUT y int) LANGUAGE plts AS $$ export default () => ({ y: 2 }) $$;
SELECT * FROM partial_out();
CREATE FUNCTION no_record(OUT x int, OUT y int) LANGUAGE plts AS $$ export default () => undefined $$;
SELECT no_record() IS NULL AS is_null;
-- INOUT is an input and an output
CREATE FUNCTION inout_inc(INOUT n int, OUT was int) LANGUAGE plts AS $$
export default (_ctx: unknown, n: number) => ({ n: n + 1, was: n });
$$;
SELECT * FROM inout_inc(41);
-- errors name the column; a value that is not an object says what was expected
CREATE FUNCTION bad_out(OUT x int, OUT y text) LANGUAGE plts AS $$ export default () => ({ x: "not a number", y: "ok" }) $$;
SELECT * FROM bad_out();
CREATE FUNCTION not_an_object(OUT x int, OUT y int) LANGUAGE plts AS $$ export default () => 5 $$;
SELECT * FROM not_an_object();
-- procedures: CALL's placeholders for OUT parameters are not passed; CALL returns the output row
CREATE PROCEDURE bump(INOUT counter int, step int, OUT note text) LANGUAGE plts AS $$
export default (ctx: { args: Record<string, unknown> }, counter: number, step: number) =>
  ({ counter: counter + step, note: `+${step} from ${JSON.stringify(ctx.args)}` });
$$;
CALL bump(10, 5, NULL);
CREATE PROCEDURE out_before_in(OUT total int, a int, b int) LANGUAGE plts AS $$
export default (ctx: { args: { a: number; b: number } }) => ctx.args.a + ctx.args.b;
$$;
CALL out_before_in(NULL, 2, 3);
CREATE PROCEDURE one_inout(INOUT v text) LANGUAGE plts AS $$ export default (_ctx: unknown, v: string) => v.toUpperCase() $$;
CALL one_inout('shout');
CREATE PROCEDURE forgets(INOUT v int) LANGUAGE plts AS $$ export default () => undefined $$;
CALL forgets(1);
