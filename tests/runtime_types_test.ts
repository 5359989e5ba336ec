/**
 * Type inference of the wrappers. `deno check` (part of `./dev test`) fails this file if a misuse below
 * compiles: each `@ts-expect-error` must meet a real type error.
 */
import assert from "node:assert/strict";
import {
  type EventTriggerContext,
  type EventTriggerData,
  type InferInput,
  type InferOutput,
  type Issue,
  mutation,
  type PltsContext,
  type PltsEventTriggerHandler,
  type PltsHandler,
  type PltsSetHandler,
  type PltsTriggerHandler,
  query,
  type Row,
  type Schema,
  type TriggerContext,
  type TriggerData,
  v,
} from "../mod.ts";

const getItem = query(v.object({ id: v.number(), tags: v.array(v.string()) }), async ({ id, tags }, ctx) => {
  const n: number = id;
  const first: string | undefined = tags[0];
  // @ts-expect-error id is inferred as number, not string
  const wrong: string = id;
  // @ts-expect-error a query's ctx.db has no exec: it is read-only
  await ctx.db.exec("delete from items");
  // @ts-expect-error arguments outside the schema do not exist
  void ctx.args.id;
  return { n, first, wrong };
}, { returns: v.object({ n: v.number(), first: v.optional(v.string()), wrong: v.string() }) });

const addItem = mutation(v.object({ name: v.string() }), async ({ name }, ctx) => {
  const result = await ctx.db.exec("insert into items (name) values ($1)", [name]);
  // @ts-expect-error name is a string
  const count: number = name;
  return { rowCount: result.rowCount, count };
});

Deno.test("query and mutation infer handler argument types from their schemas (enforced by deno check)", () => {
  assert.equal(getItem.kind, "query");
  assert.equal(addItem.kind, "mutation");
});

// The schema types of the public API fit valibot's schemas: input and output types differ where
// valibot's do (an optional key with a default is optional in, present out).
const WithDefault = v.object({ id: v.number(), note: v.optional(v.string(), "") });
const sent: InferInput<typeof WithDefault> = { id: 1 };
const received: InferOutput<typeof WithDefault> = { id: 1, note: "" };
// @ts-expect-error the output always has `note`
const missingNote: InferOutput<typeof WithDefault> = { id: 1 };
const schema: Schema = WithDefault;
// @ts-expect-error an async schema cannot be a wrapper's schema (PostgreSQL calls are synchronous)
const asyncSchema: Schema = v.objectAsync({ id: v.number() });
const issues: readonly Issue[] = v.safeParse(WithDefault, {}).issues ?? [];

Deno.test("InferInput, InferOutput, Schema and Issue accept valibot's schemas and issues (enforced by deno check)", () => {
  assert.deepEqual([sent, received, missingNote], [{ id: 1 }, { id: 1, note: "" }, { id: 1 }]);
  assert.equal(schema.type, "object");
  assert.equal(asyncSchema.async, true);
  assert.equal(issues[0].path?.[0].key, "id");
});

// Set-returning handlers: an array or any iterable object, a generator or an async generator, or a
// promise of one; each element is a row (or, for `SETOF <scalar>`, the value).
type Pair = { n: number; label: string };
const fromArray: PltsSetHandler<Pair> = () => [{ n: 1, label: "a" }];
const fromGenerator: PltsSetHandler<Pair, { upto: number }, [number]> = function* (ctx, upto) {
  const limit: number = ctx.args.upto;
  for (let n = 1; n <= Math.min(upto, limit); n++) yield { n, label: `n${n}` };
};
const fromAsyncGenerator: PltsSetHandler<Pair> = async function* () {
  yield await Promise.resolve({ n: 1, label: "a" });
};
const fromPromise: PltsSetHandler<number> = async () => await Promise.resolve([1, 2]);
const fromSet: PltsSetHandler<string> = () => new Set(["a", "b"]);
const fromCursor: PltsSetHandler<{ id: number }> = (ctx) => ctx.db.cursor<{ id: number }>("select id from items");
const untypedRows: PltsSetHandler<Row> = () => [{ anything: 1 }];
// @ts-expect-error a set-returning handler returns an iterable, not a number
const returnsNumber: PltsSetHandler<number> = () => 5;
// @ts-expect-error a string is iterable, but plts does not take it for a set of rows
const returnsString: PltsSetHandler<string> = () => "abc";
// @ts-expect-error a plain object is not iterable
const returnsRow: PltsSetHandler<Pair> = () => ({ n: 1, label: "a" });
// A generator's yields are checked where it is assigned (TypeScript infers its yield type first).
// @ts-expect-error each row has every column RowT demands
const missingColumn: PltsSetHandler<Pair> = function* () {
  yield { n: 1 };
};
// @ts-expect-error the elements of SETOF int are numbers
const wrongScalar: PltsSetHandler<number> = async function* () {
  yield "one";
};
// @ts-expect-error a promise of a non-iterable is not a set of rows
const promiseOfNumber: PltsSetHandler<number> = async () => await Promise.resolve(5);

Deno.test("PltsSetHandler takes arrays, iterables, generators and promises of rows (enforced by deno check)", async () => {
  const ctx = { args: { upto: 2 } } as PltsContext<{ upto: number }>;
  const rows = async (result: ReturnType<PltsSetHandler<unknown>>) => {
    const out: unknown[] = [];
    for await (const row of await result) out.push(row);
    return out;
  };
  assert.deepEqual(await rows(fromArray(ctx)), [{ n: 1, label: "a" }]);
  assert.deepEqual(await rows(fromGenerator(ctx, 3)), [{ n: 1, label: "n1" }, { n: 2, label: "n2" }]);
  assert.deepEqual(await rows(fromAsyncGenerator(ctx)), [{ n: 1, label: "a" }]);
  assert.deepEqual(await rows(fromPromise(ctx)), [1, 2]);
  assert.deepEqual(await rows(fromSet(ctx)), ["a", "b"]);
  assert.deepEqual(await rows(untypedRows(ctx)), [{ anything: 1 }]);
  assert.deepEqual(await rows(missingColumn(ctx)), [{ n: 1 }]);
  assert.deepEqual(await rows(wrongScalar(ctx)), ["one"]);
  assert.equal(typeof fromCursor, "function");
  assert.deepEqual([returnsNumber(ctx), returnsString(ctx), returnsRow(ctx)], [5, "abc", { n: 1, label: "a" }]);
  assert.equal(await promiseOfNumber(ctx), 5);
});

// OUT and INOUT parameters: PltsHandler's third parameter is the output record (or, with one output
// parameter, its value). Without it the result is unknown, as before.
type Outs = { doubled: number; label: string };
const twoOuts: PltsHandler<{ a: number }, [number], Outs> = (_ctx, a) => ({ doubled: a * 2, label: `n${a}` });
const asyncOuts: PltsHandler<{ a: number }, [number], Outs> = async (_ctx, a) =>
  await Promise.resolve({ doubled: a, label: "x" });
const oneOut: PltsHandler<{ v: string }, [string], string> = (_ctx, v) => v.toUpperCase();
const partialOuts: PltsHandler<unknown, [], Partial<Outs>> = () => ({ label: "only" });
const anyResult: PltsHandler = () => 5;
// @ts-expect-error doubled is an int OUT parameter
const wrongOutType: PltsHandler<{ a: number }, [number], Outs> = (_ctx, a) => ({ doubled: `${a}`, label: "x" });
// @ts-expect-error label is required by Outs (make it optional for a NULL)
const missingOut: PltsHandler<{ a: number }, [number], Outs> = (_ctx, a) => ({ doubled: a });
// @ts-expect-error the promise resolves to the record, so its keys are checked too
const asyncWrongOut: PltsHandler<unknown, [], Outs> = async () => await Promise.resolve({ doubled: "2", label: "x" });

Deno.test("PltsHandler's Result types an OUT record (enforced by deno check)", async () => {
  const ctx = {} as PltsContext<never>;
  assert.deepEqual(twoOuts(ctx, 21), { doubled: 42, label: "n21" });
  assert.deepEqual(await asyncOuts(ctx, 1), { doubled: 1, label: "x" });
  assert.equal(oneOut(ctx, "shout"), "SHOUT");
  assert.deepEqual(partialOuts(ctx), { label: "only" });
  assert.equal(anyResult(ctx), 5);
  assert.deepEqual([wrongOutType(ctx, 1), missingOut(ctx, 1)], [{ doubled: "1", label: "x" }, { doubled: 1 }]);
  assert.deepEqual(await asyncWrongOut(ctx), { doubled: "2", label: "x" });
});

// Triggers: ctx.trigger types the event and the rows as RowT. A BEFORE or INSTEAD OF row trigger
// returns the row (or null to skip it); AFTER and statement triggers return nothing.
type Item = { id: number; name: string; note?: string | null };
const trimName: PltsTriggerHandler<Item> = (ctx) => {
  const row = ctx.trigger.new;
  if (row === null) return ctx.trigger.old;
  const name: string = row.name;
  return { ...row, name: name.trim() };
};
const skipRow: PltsTriggerHandler<Item> = () => null;
const newRow: PltsTriggerHandler<Item> = (ctx) => ({ id: ctx.trigger.args.length, name: ctx.trigger.name });
const asyncRow: PltsTriggerHandler<Item> = async (ctx) => await Promise.resolve(ctx.trigger.new);
const audit: PltsTriggerHandler<Item> = async (ctx) => {
  const { event, when, level, table } = ctx.trigger;
  const oid: number = table.oid;
  const args: string[] = ctx.trigger.args;
  await ctx.db.exec("insert into audit values ($1, $2, $3, $4, $5)", [event, when, level, oid, args.join()]);
};
const untypedRow: PltsTriggerHandler = (ctx) => ({ ...ctx.trigger.new, touched: true });
const asContext = (ctx: TriggerContext<Item>): TriggerData<Item> => ctx.trigger;
const misuses: PltsTriggerHandler<Item> = (ctx) => {
  // @ts-expect-error Item has no column price
  void ctx.trigger.new?.price;
  // @ts-expect-error new is null in DELETE and statement triggers: test it before reading a column
  void ctx.trigger.new.id;
  // @ts-expect-error there are no SELECT triggers
  if (ctx.trigger.event === "SELECT") return null;
  // @ts-expect-error the timing is spelled "INSTEAD OF"
  if (ctx.trigger.when === "INSTEAD") return null;
  // @ts-expect-error a trigger function has no SQL arguments: the trigger's arguments are ctx.trigger.args
  void ctx.args.id;
  return ctx.trigger.new;
};
// @ts-expect-error a trigger returns a row, null or nothing, not a number
const triggerReturnsNumber: PltsTriggerHandler = () => 5;
// @ts-expect-error the promise resolves to the row, null or nothing
const triggerResolvesNumber: PltsTriggerHandler = async () => await Promise.resolve(5);
// @ts-expect-error the returned row's columns have RowT's types
const triggerWrongColumn: PltsTriggerHandler<Item> = () => ({ id: "1", name: "x" });
// @ts-expect-error name is required by Item (make it optional for a NULL)
const triggerMissingColumn: PltsTriggerHandler<Item> = () => ({ id: 1 });
// @ts-expect-error a row is an object keyed by column names
type ScalarRow = PltsTriggerHandler<number>;

Deno.test("PltsTriggerHandler types ctx.trigger and the row a trigger returns (enforced by deno check)", async () => {
  const trigger: TriggerData<Item> = {
    event: "UPDATE",
    when: "BEFORE",
    level: "ROW",
    name: "items_trim",
    table: { schema: "public", name: "items", oid: 16384 },
    args: ["a", "b"],
    new: { id: 1, name: " tea " },
    old: { id: 1, name: "tea" },
  };
  const executed: unknown[][] = [];
  const db = { exec: (_sql: string, params: unknown[]) => (executed.push(params), { rowCount: 1, command: "INSERT" }) };
  const ctx = { args: {}, trigger, db } as unknown as TriggerContext<Item>;
  const anyRowCtx: TriggerContext = ctx;
  assert.deepEqual(trimName(ctx), { id: 1, name: "tea" });
  assert.equal(skipRow(ctx), null);
  assert.deepEqual(newRow(ctx), { id: 2, name: "items_trim" });
  assert.deepEqual(await asyncRow(ctx), { id: 1, name: " tea " });
  assert.equal(await audit(ctx), undefined);
  assert.deepEqual(executed, [["UPDATE", "BEFORE", "ROW", 16384, "a,b"]]);
  assert.deepEqual(untypedRow(anyRowCtx), { id: 1, name: " tea ", touched: true });
  assert.equal(asContext(ctx), trigger);
  assert.deepEqual(misuses(ctx), { id: 1, name: " tea " });
  assert.deepEqual([
    triggerReturnsNumber(anyRowCtx),
    await triggerResolvesNumber(anyRowCtx),
  ], [5, 5]);
  assert.deepEqual([triggerWrongColumn(ctx), triggerMissingColumn(ctx)], [{ id: "1", name: "x" }, { id: 1 }]);
  const deleting = { ...ctx, trigger: { ...trigger, event: "DELETE", new: null } } as TriggerContext<Item>;
  assert.deepEqual(trimName(deleting), { id: 1, name: "tea" });
});

// Rows typed by interfaces, as `stopgap types --tables` writes them: an interface has no index
// signature, and the row type parameters take any object type.
interface ItemRow {
  id: number;
  name: string;
  readonly total: number | null;
}
const readItems = async (ctx: PltsContext) => {
  const rows = await ctx.db.query<ItemRow>("select id, name, total from items");
  const name: string = rows[0].name;
  for await (const row of ctx.db.cursor<ItemRow>("select id, name, total from items")) void row.id;
  // @ts-expect-error ItemRow has no column price
  void rows[0].price;
  return name;
};
const renameItem: PltsTriggerHandler<ItemRow> = (ctx) => {
  const row = ctx.trigger.new;
  return row === null ? null : { ...row, name: row.name.trim() };
};
const asItemContext = (ctx: TriggerContext<ItemRow>): TriggerData<ItemRow> => ctx.trigger;
// @ts-expect-error a row is an object: a query's rows cannot be numbers
const scalarRows = (ctx: PltsContext) => ctx.db.query<number>("select 1");

Deno.test("interfaces type query<T>, cursor<T> and TriggerContext<RowT> (enforced by deno check)", async () => {
  const rows = [{ id: 1, name: " tea ", total: null }];
  const db = {
    query: () => rows,
    cursor: async function* () {
      yield* rows;
    },
  };
  assert.equal(await readItems({ db } as unknown as PltsContext), " tea ");
  const trigger = { new: rows[0] } as TriggerData<ItemRow>;
  const ctx = { trigger } as TriggerContext<ItemRow>;
  assert.deepEqual(renameItem(ctx), { id: 1, name: "tea", total: null });
  assert.equal(asItemContext(ctx), trigger);
  assert.equal(scalarRows({ db } as unknown as PltsContext), rows);
});

// Event triggers: ctx.event is the event and the command tag; the handler returns nothing.
const logDdl: PltsEventTriggerHandler = (ctx) => {
  ctx.log.notice(`${ctx.event.event}: ${ctx.event.tag}`);
};
const refuseDrop: PltsEventTriggerHandler = async (ctx) => {
  await Promise.resolve();
  if (ctx.event.tag === "DROP TABLE") throw new Error("tables are not dropped here");
};
const eventOf = (ctx: EventTriggerContext): EventTriggerData => ctx.event;
// @ts-expect-error the command tag is a string
const tagAsNumber = (ctx: EventTriggerContext): number => ctx.event.tag;
// @ts-expect-error an event trigger returns nothing
const eventReturnsRow: PltsEventTriggerHandler = () => ({ id: 1 });
// @ts-expect-error an event trigger has no ctx.trigger
const eventReadsTrigger: PltsEventTriggerHandler = (ctx) => void ctx.trigger;

Deno.test("PltsEventTriggerHandler types ctx.event (enforced by deno check)", async () => {
  const notices: string[] = [];
  const ctx = {
    args: {},
    event: { event: "ddl_command_start", tag: "DROP TABLE" },
    log: { notice: (message: string) => notices.push(message) },
  } as unknown as EventTriggerContext;
  logDdl(ctx);
  assert.deepEqual(notices, ["ddl_command_start: DROP TABLE"]);
  await assert.rejects(async () => await refuseDrop(ctx), /tables are not dropped here/);
  assert.equal(eventOf(ctx).tag, "DROP TABLE");
  assert.equal(tagAsNumber(ctx), "DROP TABLE");
  assert.deepEqual(eventReturnsRow(ctx), { id: 1 });
  assert.equal(eventReadsTrigger(ctx), undefined);
});
