/**
 * The benchmark's table, functions and per-call cases, shared by `main.ts` (wall-clock time) and
 * `instructions.ts` (instructions counted by callgrind), so both measure the very same calls.
 *
 * @module
 */

/** Creates the benchmark's table and functions (idempotent). */
export const SETUP = [
  `create extension if not exists plts`,
  `create table if not exists bench_accounts (id int primary key, owner text not null, balance numeric not null)`,
  `insert into bench_accounts select g, 'owner ' || g, g * 10 from generate_series(1, 10000) g on conflict do nothing`,
  `create or replace function bench_plpgsql_inc(i int) returns int language plpgsql as $$ begin return i + 1; end $$`,
  `create or replace function bench_plts_inc(i int) returns int language plts as $$
     export default (_ctx: unknown, i: number): number => i + 1;
   $$`,
  `create or replace function bench_plpgsql_echo(args jsonb) returns jsonb language plpgsql as $$ begin return args; end $$`,
  `create or replace function bench_plts_echo(args jsonb) returns jsonb language plts as $$
     export default (ctx: { args: unknown }) => ctx.args;
   $$`,
  `create or replace function bench_plpgsql_balance(i int) returns numeric language plpgsql as $$
     declare b numeric; begin select balance into b from bench_accounts where id = i; return b; end $$`,
  `create or replace function bench_plts_balance(i int) returns numeric language plts as $$
     export default (ctx: any, i: number) => ctx.db.query("select balance from bench_accounts where id = $1", [i])[0].balance;
   $$`,
  `create or replace function bench_plts_transfer(args jsonb) returns jsonb language plts as $$
     export default (ctx: any) => {
       const { from, to, amount } = ctx.args;
       const [a] = ctx.db.query("select balance from bench_accounts where id = $1", [from]);
       const [b] = ctx.db.query("select balance from bench_accounts where id = $1", [to]);
       ctx.db.exec("update bench_accounts set balance = balance - $1 where id = $2", [amount, from]);
       ctx.db.exec("update bench_accounts set balance = balance + $1 where id = $2", [amount, to]);
       const [after] = ctx.db.query("select sum(balance) as total from bench_accounts where id in ($1, $2)", [from, to]);
       return { before: [a.balance, b.balance], total: after.total };
     };
   $$`,
  `create or replace function bench_plts_bare5(args jsonb) returns jsonb language plts as $$
     export default (ctx: { args: { id: number } }) => ctx.args.id;
   $$`,
  // Statements in a loop inside one call: the per-statement cost without the per-call cost.
  `create or replace function bench_plts_read_loop(n int) returns int language plts as $$
     export default (ctx: any, n: number) => {
       for (let i = 0; i < n; i++) ctx.db.query("select balance from bench_accounts where id = $1", [1 + i % 10000]);
       return n;
     };
   $$`,
  `create or replace function bench_plpgsql_read_loop(n int) returns int language plpgsql as $$
     declare b numeric; begin for i in 0..n - 1 loop select balance into b from bench_accounts where id = 1 + i % 10000; end loop; return n; end $$`,
  `create or replace function bench_plpgsql_read_loop_exc(n int) returns int language plpgsql as $$
     declare b numeric; begin for i in 0..n - 1 loop
       begin select balance into b from bench_accounts where id = 1 + i % 10000; exception when others then null; end;
     end loop; return n; end $$`,
  `create or replace function bench_plts_write_loop(n int) returns int language plts as $$
     export default (ctx: any, n: number) => {
       for (let i = 0; i < n; i++) ctx.db.exec("update bench_accounts set balance = balance + 0 where id = $1", [1 + i % 10000]);
       return n;
     };
   $$`,
  `create or replace function bench_plpgsql_write_loop_exc(n int) returns int language plpgsql as $$
     begin for i in 0..n - 1 loop
       begin update bench_accounts set balance = balance + 0 where id = 1 + i % 10000; exception when others then null; end;
     end loop; return n; end $$`,
  // Rows in and out: a composite argument and result; a million rows from a generator.
  `do $$ begin create type bench_pair as (a int, b text); exception when duplicate_object then null; end $$`,
  `create or replace function bench_plts_pair(p bench_pair) returns bench_pair language plts as $$
     export default (_ctx: unknown, p: { a: number; b: string }) => ({ a: p.a + 1, b: p.b });
   $$`,
  `create or replace function bench_plpgsql_pair(p bench_pair) returns bench_pair language plpgsql as $$
     begin return row(p.a + 1, p.b)::bench_pair; end $$`,
  `create or replace function bench_plts_rows(n int) returns table (i int, label text) language plts as $$
     export default function* (_ctx: unknown, n: number) { for (let i = 0; i < n; i++) yield { i, label: "row" }; }
   $$`,
  `create or replace function bench_plpgsql_rows(n int) returns table (i int, label text) language plpgsql as $$
     begin for k in 0..n - 1 loop i := k; label := 'row'; return next; end loop; end $$`,
  // Triggers: a BEFORE ROW trigger that changes one column of each inserted row.
  `create table if not exists bench_trg_plts (id int, name text, price numeric)`,
  `create table if not exists bench_trg_plpgsql (id int, name text, price numeric)`,
  `create table if not exists bench_trg_none (id int, name text, price numeric)`,
  `create or replace function bench_plts_trg() returns trigger language plts as $$
     export default (ctx: any) => { const row = ctx.trigger.new; row.name = row.name.toUpperCase(); return row; };
   $$`,
  `create or replace function bench_plpgsql_trg() returns trigger language plpgsql as $$
     begin new.name := upper(new.name); return new; end $$`,
  `create or replace trigger bench_trg before insert on bench_trg_plts for each row execute function bench_plts_trg()`,
  `create or replace trigger bench_trg before insert on bench_trg_plpgsql for each row execute function bench_plpgsql_trg()`,
  // Recursion through SQL: each level runs a statement that calls the function one level down.
  `create or replace function bench_plts_rec(n int) returns int language plts as $$
     export default (ctx: any, n: number): number => n === 0 ? 0 : ctx.db.query("select bench_plts_rec($1) as r", [n - 1])[0].r + 1;
   $$`,
  `create or replace function bench_plpgsql_rec(n int) returns int language plpgsql as $$
     declare r int; begin if n = 0 then return 0; end if; select bench_plpgsql_rec(n - 1) into r; return r + 1; end $$`,
  // Calling another plts function n times in one call: directly (ctx.functions) or through SQL.
  `create or replace function bench_plts_direct_loop(n int) returns int language plts as $$
     export default (ctx: any, n: number) => {
       const inc = ctx.functions.get("bench_plts_inc(int)");
       let total = 0;
       for (let i = 0; i < n; i++) total += inc(i);
       return n;
     };
   $$`,
  `create or replace function bench_plts_sql_call_loop(n int) returns int language plts as $$
     export default (ctx: any, n: number) => {
       let total = 0;
       for (let i = 0; i < n; i++) total += ctx.db.query("select bench_plts_inc($1) as r", [i])[0].r;
       return n;
     };
   $$`,
  // The web-platform APIs (web.js) are built at a context's first use of them.
  `create or replace function bench_plts_web(i int) returns text language plts as $$
     export default (_ctx: unknown, i: number) => new TextEncoder().encode(String(i)).length + crypto.randomUUID();
   $$`,
  // Intl (intl.js) is built at a context's first use of Intl or a toLocaleString.
  `create or replace function bench_plts_intl(i int) returns text language plts as $$
     export default (_ctx: unknown, i: number) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(i) + new Date(0).toLocaleDateString("en-US", { timeZone: "UTC" });
   $$`,
  `create or replace function bench_plts_wrapped5(args jsonb) returns jsonb language plts as $$
     import { query, v } from "@stopgap/runtime";
     const Args = v.object({ id: v.number(), name: v.string(), price: v.number(), tags: v.array(v.string()), ok: v.boolean() });
     export default query(Args, ({ id }) => id);
   $$`,
];

/** The 5-field argument of the wrapper case. */
export const FIVE_FIELDS = JSON.stringify({ id: 1, name: "tea", price: 3.5, tags: ["hot"], ok: true });

/** The 6-field document of the echo case (each call adds `i`). */
export const ECHO_ARGS = JSON.stringify({
  id: 42,
  name: "tea",
  tags: ["hot", "green"],
  price: 3.5,
  nested: { ok: true },
});

/** One function call compared with the call a user would write instead; `i` is the loop counter. */
export interface PerCallCase {
  name: string;
  plts: string;
  baselineName: string;
  baseline: string;
  target: string;
  /** A heavier call (a query per call): measured over fewer calls. */
  heavy?: boolean;
}

/** Calls measured in a server-side loop, `select count(<call>) from generate_series(1, N) i`. */
export const PER_CALL_CASES: PerCallCase[] = [
  {
    name: "plts int -> int call",
    plts: "bench_plts_inc(i)",
    baselineName: "PL/pgSQL",
    baseline: "bench_plpgsql_inc(i)",
    target: "within 2x",
  },
  {
    name: "plts (args jsonb) returns jsonb echo",
    plts: `bench_plts_echo('${ECHO_ARGS}'::jsonb || jsonb_build_object('i', i))`,
    baselineName: "PL/pgSQL",
    baseline: `bench_plpgsql_echo('${ECHO_ARGS}'::jsonb || jsonb_build_object('i', i))`,
    target: "within 2x",
  },
  {
    name: "plts ctx.db.query by primary key",
    plts: "bench_plts_balance(1 + i % 10000)",
    baselineName: "PL/pgSQL",
    baseline: "bench_plpgsql_balance(1 + i % 10000)",
    target: "within 1.5x",
    heavy: true,
  },
  {
    name: "composite argument in, composite result out",
    plts: "bench_plts_pair(row(i, 'x')::bench_pair)",
    baselineName: "PL/pgSQL",
    baseline: "bench_plpgsql_pair(row(i, 'x')::bench_pair)",
    target: "within 2x",
  },
  {
    name: "query wrapper validating 5 fields",
    plts: `bench_plts_wrapped5('${FIVE_FIELDS}'::jsonb)`,
    baselineName: "bare plts handler",
    baseline: `bench_plts_bare5('${FIVE_FIELDS}'::jsonb)`,
    target: "under 20% overhead",
    heavy: true,
  },
];
