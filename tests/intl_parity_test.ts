/**
 * plts's `Intl` (ext/plts/src/ctx/intl.js, en-US only) against Deno's ICU: the same formats of numbers,
 * dates, plural rules, lists, relative times and collations, computed by a plts function inside PostgreSQL
 * and by Deno itself, must be the same strings, case by case. Time zones are named in every date case, so
 * neither side's default zone matters; plts reads them from PostgreSQL's time zone database. (-0 travels as a string:
 * jsonb has no negative zero.)
 */
import assert from "node:assert/strict";
import { withDatabase } from "./harness.ts";

type Case =
  | { kind: "number"; value: number | string; bigint?: boolean; options?: Intl.NumberFormatOptions }
  | {
    kind: "date";
    ms: number;
    method: "format" | "toLocaleString" | "toLocaleDateString" | "toLocaleTimeString";
    options: Intl.DateTimeFormatOptions;
  }
  | { kind: "plural"; value: number; options?: Intl.PluralRulesOptions }
  | { kind: "list"; items: string[]; options?: { type?: string; style?: string } }
  | { kind: "relative"; value: number; unit: Intl.RelativeTimeFormatUnit; options?: Intl.RelativeTimeFormatOptions }
  | { kind: "collate"; items: string[]; options?: Intl.CollatorOptions };

const DATES = [
  Date.UTC(2026, 11, 3, 8, 30, 57, 123),
  Date.UTC(2026, 0, 9, 20, 5, 7, 4),
  Date.UTC(1999, 6, 4, 0, 0, 0, 0),
];
const ZONES = [
  "UTC",
  "America/New_York",
  "America/Los_Angeles",
  "Europe/Berlin",
  "Europe/London",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Adelaide",
];
const DATE_OPTIONS: Intl.DateTimeFormatOptions[] = [
  {},
  { dateStyle: "full" },
  { dateStyle: "long" },
  { dateStyle: "medium" },
  { dateStyle: "short" },
  { timeStyle: "full" },
  { timeStyle: "long" },
  { timeStyle: "medium" },
  { timeStyle: "short" },
  { dateStyle: "full", timeStyle: "short" },
  { dateStyle: "medium", timeStyle: "medium" },
  { dateStyle: "short", timeStyle: "long" },
  { year: "numeric" },
  { month: "long" },
  { month: "short", day: "numeric" },
  { year: "numeric", month: "long" },
  { year: "numeric", month: "long", day: "numeric" },
  { weekday: "long" },
  { weekday: "short", year: "numeric", month: "numeric", day: "numeric" },
  { weekday: "long", month: "long", day: "numeric" },
  { hour: "numeric" },
  { hour: "numeric", minute: "numeric" },
  { hour: "2-digit", minute: "2-digit" },
  { hour: "numeric", hour12: false },
  { hour: "numeric", minute: "2-digit", hour12: false },
  { hour: "numeric", minute: "numeric", second: "numeric", fractionalSecondDigits: 3 },
  { minute: "numeric" },
  { minute: "2-digit", second: "2-digit" },
  { year: "2-digit", month: "2-digit", day: "2-digit" },
  { month: "numeric", day: "numeric" },
  { timeZoneName: "short" },
  { hour: "numeric", timeZoneName: "short" },
  { hour: "numeric", minute: "numeric", timeZoneName: "long" },
  { timeZoneName: "shortOffset" },
  { timeZoneName: "longOffset" },
  { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" },
  { hourCycle: "h23", hour: "numeric", minute: "numeric" },
  { month: "narrow" },
  { weekday: "narrow" },
];
const NUMBERS: (number | string)[] = [
  0,
  "-0",
  1,
  -1,
  1.5,
  2.5,
  -2.5,
  1234.5678,
  1234567.891,
  0.000123,
  1e21,
  12345678901234567890,
  -98765.4321,
  0.5,
  1.005,
  99.995,
  "NaN",
  "Infinity",
  "-Infinity",
  100,
];
const BIGINTS = ["123456789", "-5", "0", "12345678901234567890123"];
const NUMBER_OPTIONS: (Intl.NumberFormatOptions | undefined)[] = [
  undefined,
  { maximumFractionDigits: 0 },
  { minimumFractionDigits: 2 },
  { maximumFractionDigits: 1 },
  { style: "percent" },
  { style: "percent", maximumFractionDigits: 2 },
  { style: "currency", currency: "USD" },
  { style: "currency", currency: "EUR" },
  { style: "currency", currency: "JPY" },
  { style: "currency", currency: "GBP", currencyDisplay: "code" },
  { style: "currency", currency: "CHF" },
  { style: "currency", currency: "CAD" },
  { style: "currency", currency: "CAD", currencyDisplay: "narrowSymbol" },
  { useGrouping: false },
  { minimumIntegerDigits: 3 },
  { maximumSignificantDigits: 3 },
  { minimumSignificantDigits: 5 },
  { minimumSignificantDigits: 2, maximumSignificantDigits: 4 },
  { signDisplay: "always" },
  { signDisplay: "exceptZero" },
  { signDisplay: "never" },
  { signDisplay: "negative" },
  { style: "currency", currency: "USD", signDisplay: "always" },
];
const WORDS = [
  "b",
  "a",
  "B",
  "A",
  "á",
  "Á",
  "ab",
  "a b",
  "a-b",
  "10",
  "9",
  "item10",
  "item9",
  "Zebra",
  "zebra",
  "éclair",
  "eclair",
  "apple",
  "Apple",
  "_x",
  "x",
];

function cases(): Case[] {
  const out: Case[] = [];
  for (const ms of DATES) {
    for (const timeZone of ZONES) {
      for (const options of DATE_OPTIONS) {
        for (const method of ["format", "toLocaleString", "toLocaleDateString", "toLocaleTimeString"] as const) {
          // toLocaleDateString refuses timeStyle and toLocaleTimeString dateStyle, in both.
          out.push({ kind: "date", ms, method, options: { ...options, timeZone } });
        }
      }
    }
  }
  for (const value of NUMBERS) for (const options of NUMBER_OPTIONS) out.push({ kind: "number", value, options });
  for (const value of BIGINTS) {
    for (const options of NUMBER_OPTIONS) out.push({ kind: "number", value, bigint: true, options });
  }
  for (const value of [0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 1.5]) {
    out.push({ kind: "plural", value }, { kind: "plural", value, options: { type: "ordinal" } });
  }
  for (const items of [[], ["a"], ["a", "b"], ["a", "b", "c"]]) {
    for (
      const options of [undefined, { type: "disjunction" }, { type: "unit" }, { style: "short" }, { style: "narrow" }, {
        type: "unit",
        style: "narrow",
      }]
    ) {
      out.push({ kind: "list", items, options });
    }
  }
  for (
    const [value, unit] of [
      [1, "day"],
      [-1, "day"],
      [3, "days"],
      [-3, "month"],
      [0, "second"],
      [0, "day"],
      [2, "year"],
      [1.5, "hour"],
      [1000, "week"],
    ] as const
  ) {
    out.push({ kind: "relative", value, unit }, { kind: "relative", value, unit, options: { numeric: "auto" } });
  }
  for (
    const options of [undefined, { sensitivity: "base" as const }, { numeric: true }, {
      sensitivity: "accent" as const,
    }]
  ) {
    out.push({ kind: "collate", items: WORDS, options });
  }
  return out;
}

/** Runs one case; the same source runs in plts (as a module) and here. */
const RUN = `(c) => {
  try {
    switch (c.kind) {
      case "number": {
        const x = c.bigint ? BigInt(c.value) : Number(c.value);
        return new Intl.NumberFormat("en-US", c.options).format(x) + " | " + x.toLocaleString("en-US", c.options);
      }
      case "date": {
        const d = new Date(c.ms);
        return c.method === "format" ? new Intl.DateTimeFormat("en-US", c.options).format(d) : d[c.method]("en-US", c.options);
      }
      case "plural": return new Intl.PluralRules("en-US", c.options).select(c.value);
      case "list": return new Intl.ListFormat("en", c.options).format(c.items);
      case "relative": return new Intl.RelativeTimeFormat("en", c.options).format(c.value, c.unit);
      case "collate": return [...c.items].sort(new Intl.Collator("en", c.options).compare).join(" ");
    }
  } catch (e) {
    return "throws " + e.constructor.name;
  }
}`;

Deno.test("Intl in plts formats as Deno's ICU does for en-US: numbers, dates in named zones, plurals, lists, relative times, collation", () =>
  withDatabase("intl_parity", async ({ sql }) => {
    await sql`create extension plts`;
    await sql.unsafe(`create function intl_cases(cases jsonb) returns jsonb language plts as $js$
      const run = ${RUN};
      export default (_ctx: unknown, cases: unknown[]) => cases.map(run);
    $js$`);
    const all = cases();
    const [{ results }] = await sql`select intl_cases(${sql.json(all as never)}) as results`;
    const run = (0, eval)(RUN) as (c: Case) => string;
    const differences = all.flatMap((c, i) => {
      const expected = run(c);
      return results[i] === expected
        ? []
        : [`${JSON.stringify(c)}: plts ${JSON.stringify(results[i])}, Deno ${JSON.stringify(expected)}`];
    });
    assert.equal(all.length > 1500, true, `only ${all.length} cases`);
    assert.deepEqual(
      differences,
      [],
      `${differences.length} of ${all.length} differ:\n${differences.slice(0, 40).join("\n")}`,
    );
  }));
