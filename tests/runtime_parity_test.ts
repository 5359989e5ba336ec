/**
 * One table of cases, run on both sides: each handler source runs in Deno (through callLocal, against
 * the private cluster) and inside PostgreSQL (as a plts function importing the built-in
 * `@stopgap/runtime`). Both must give the same result, or the same error message.
 */
import assert from "node:assert/strict";
import { callLocal, type Wrapped } from "../mod.ts";
import { withDatabase } from "./harness.ts";

interface Case {
  name: string;
  /** A plts module whose default export is a wrapped handler; it imports "@stopgap/runtime". */
  source: string;
  args: unknown;
  /** The expected result, or the expected error message. */
  expect: { result: unknown } | { error: string };
}

const ITEM = `const Item = v.object({ id: v.number(), name: v.pipe(v.string(), v.minLength(1)) });`;

const CASES: Case[] = [
  {
    name: "valid arguments pass through",
    source: `import { query, v } from "@stopgap/runtime"; ${ITEM}
      export default query(Item, ({ id, name }) => ({ id, name: name.toUpperCase() }));`,
    args: { id: 1, name: "tea" },
    expect: { result: { id: 1, name: "TEA" } },
  },
  {
    name: "wrong types name each path",
    source: `import { query, v } from "@stopgap/runtime"; ${ITEM}
      export default query(Item, ({ id }) => id);`,
    args: { id: "1", name: "" },
    expect: {
      error:
        "invalid arguments: id: expected number, received string; name: Invalid length: Expected >=1 but received 0",
    },
  },
  {
    name: "a missing key is required",
    source: `import { query, v } from "@stopgap/runtime"; ${ITEM}
      export default query(Item, ({ id }) => id);`,
    args: { name: "x" },
    expect: { error: "invalid arguments: id: required" },
  },
  {
    name: "transforms apply before the handler",
    source: `import { query, v } from "@stopgap/runtime";
      export default query(v.object({ s: v.pipe(v.string(), v.trim(), v.toUpperCase()) }), ({ s }) => s);`,
    args: { s: "  hi " },
    expect: { result: "HI" },
  },
  {
    name: "the returns schema checks the result",
    source: `import { mutation, v } from "@stopgap/runtime";
      export default mutation(v.object({}), () => ({ id: "x" }), { returns: v.object({ id: v.number() }) });`,
    args: {},
    expect: { error: "invalid result: id: expected number, received string" },
  },
  {
    name: "a query reads through ctx.db",
    source: `import { query, v } from "@stopgap/runtime";
      export default query(v.object({ n: v.number() }), async ({ n }, ctx) =>
        (await ctx.db.query("select $1::int * 2 as doubled", [n]))[0]);`,
    args: { n: 21 },
    expect: { result: { doubled: 42 } },
  },
  {
    name: "a cursor walks rows in batches with for await",
    source: `import { query, v } from "@stopgap/runtime";
      export default query(v.object({ n: v.number() }), async ({ n }, ctx) => {
        let sum = 0;
        for await (const row of ctx.db.cursor("select g from generate_series(1, $1::int) g", [n], { batchSize: 3 })) {
          sum += row.g as number;
        }
        return sum;
      });`,
    args: { n: 10 },
    expect: { result: 55 },
  },
  {
    name: "a transaction block rolls back when it throws and commits when it returns",
    source: `import { mutation, v } from "@stopgap/runtime";
      export default mutation(v.object({}), async (_args, ctx) => {
        try {
          await ctx.db.transaction(async (db) => {
            await db.exec("insert into parity_t values (1)");
            throw new Error("undo");
          });
        } catch { /* rolled back */ }
        await ctx.db.transaction(async (db) => { await db.exec("insert into parity_t values (2)"); });
        const [row] = await ctx.db.query("select coalesce(sum(n), 0)::int as s from parity_t");
        await ctx.db.exec("delete from parity_t");
        return row.s;
      });`,
    args: {},
    expect: { result: 2 },
  },
  {
    name: "ctx.functions calls another plts function by its signature",
    source: `import { query, v } from "@stopgap/runtime";
      export default query(v.object({ n: v.number() }), async ({ n }, ctx) =>
        await ctx.functions.get("parity_add(int, int)")(n, 1));`,
    args: { n: 41 },
    expect: { result: 42 },
  },
  {
    name: "ctx.functions: a composite result is an object, a name alone finds the one function",
    source: `import { query, v } from "@stopgap/runtime";
      export default query(v.object({}), async (_args, ctx) => await ctx.functions.get("parity_pair")(7));`,
    args: {},
    expect: { result: { a: 7, b: "seven" } },
  },
  {
    name: "ctx.functions: an unknown function is PostgreSQL's own error",
    source: `import { query, v } from "@stopgap/runtime";
      export default query(v.object({}), async (_args, ctx) => await ctx.functions.get("parity_nope(int)")(1));`,
    args: {},
    expect: { error: 'function "parity_nope(int)" does not exist' },
  },
];

const RUNTIME_URL = new URL("../runtime/mod.ts", import.meta.url).href;

/** Imports a case's module in Deno, with "@stopgap/runtime" pointing at this checkout's runtime. */
async function importCase(source: string): Promise<Wrapped<"query" | "mutation", never, unknown>> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, source.replaceAll(`"@stopgap/runtime"`, JSON.stringify(RUNTIME_URL)));
    return (await import(`file://${file}`)).default;
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("the wrappers behave the same in Deno and inside PostgreSQL for a shared table of cases", () =>
  withDatabase("runtime_parity", async ({ sql }) => {
    await sql`create extension plts`;
    await sql`create table parity_t (n int)`;
    await sql`create function parity_add(a int, b int) returns int language plts as $$
      export default (_ctx: unknown, a: number, b: number) => a + b $$`;
    await sql`create type parity_ab as (a int, b text)`;
    await sql`create function parity_pair(a int) returns parity_ab language plts as $$
      export default (_ctx: unknown, a: number) => ({ a, b: a === 7 ? "seven" : "other" }) $$`;
    for (const [i, c] of CASES.entries()) {
      const fn = `parity_${i}`;
      await sql.unsafe(`create function ${fn}(args jsonb) returns jsonb language plts as $plts$${c.source}$plts$`);
      const inDb = await sql.unsafe(`select ${fn}($1::text::jsonb) as result`, [JSON.stringify(c.args)]).then(
        ([row]) => ({ result: row.result as unknown }),
        (error: Error) => ({ error: error.message }),
      );
      const handler = await importCase(c.source);
      const inDeno = await callLocal(handler, c.args, { sql }).then(
        (result) => ({ result: result as unknown }),
        (error: Error) => ({ error: error.message }),
      );
      assert.deepEqual(inDb, c.expect, `${c.name}: inside PostgreSQL`);
      assert.deepEqual(inDeno, c.expect, `${c.name}: in Deno`);
    }
  }));
