-- Intl for en-US (QuickJS has none): the formats ICU gives Deno, time zones from PostgreSQL, the
-- toLocaleString methods, and the errors for what is not there.
SET TimeZone = 'UTC';
CREATE FUNCTION intl_numbers() RETURNS text LANGUAGE plts AS $$
export default () => {
  const f = (x: number | bigint, o?: Intl.NumberFormatOptions) => new Intl.NumberFormat("en-US", o).format(x);
  return [
    f(1234567.891), f(-0.5), f(1.005, { maximumFractionDigits: 2 }), f(0.256, { style: "percent" }),
    f(1234.5, { style: "currency", currency: "USD" }), f(-3, { style: "currency", currency: "EUR" }),
    f(1234.5, { style: "currency", currency: "JPY" }), f(9.99, { style: "currency", currency: "CHF" }),
    f(12345678901234567890n), f(0.000123456, { maximumSignificantDigits: 3 }), f(5, { minimumIntegerDigits: 3 }),
    f(1234, { useGrouping: false }), f(3, { signDisplay: "always" }), f(NaN), f(-Infinity),
    (1234.5).toLocaleString(), (1234.5).toLocaleString("de-DE"), 10n ** 6n + "", (10n ** 6n).toLocaleString(),
    JSON.stringify(new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).formatToParts(-1.5)),
    JSON.stringify(new Intl.NumberFormat("fr").resolvedOptions()),
  ].join("\n");
};
$$;
SELECT intl_numbers();
CREATE FUNCTION intl_dates() RETURNS text LANGUAGE plts AS $$
export default () => {
  const d = new Date(Date.UTC(2026, 11, 3, 8, 30, 57, 123));
  const f = (o?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-US", o).format(d);
  return [
    f(), f({ dateStyle: "full" }), f({ dateStyle: "medium", timeStyle: "short" }), f({ dateStyle: "long", timeStyle: "long" }),
    f({ weekday: "short", month: "short", day: "numeric" }), f({ hour: "2-digit", minute: "2-digit", hour12: false }),
    f({ hour: "numeric", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3 }),
    f({ timeZone: "America/New_York", timeStyle: "full" }), f({ timeZone: "Europe/Berlin", dateStyle: "short", timeStyle: "long" }),
    f({ timeZone: "Asia/Kolkata", hour: "numeric", minute: "numeric", timeZoneName: "short" }),
    f({ timeZone: "Australia/Adelaide", timeZoneName: "shortOffset" }),
    d.toLocaleString(), d.toLocaleDateString(), d.toLocaleTimeString(), d.toLocaleString("en-GB", { month: "long", year: "numeric" }),
    new Date(NaN).toLocaleString(), JSON.stringify(new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Tokyo" }).resolvedOptions()),
  ].join("\n");
};
$$;
SELECT intl_dates();
-- The default time zone is the session's TimeZone, read at each call.
CREATE FUNCTION intl_local(t timestamptz) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, t: Date) => `${t.toLocaleString()} (${new Intl.DateTimeFormat().resolvedOptions().timeZone})`;
$$;
SELECT intl_local('2026-07-04 12:00:00+00');
SET TimeZone = 'America/Los_Angeles';
SELECT intl_local('2026-07-04 12:00:00+00');
RESET TimeZone;
SET TimeZone = 'UTC';
CREATE FUNCTION intl_words() RETURNS text LANGUAGE plts AS $$
export default () => {
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  const pr = new Intl.PluralRules("en-US", { type: "ordinal" });
  return [
    new Intl.ListFormat("en", { type: "conjunction" }).format(["red", "green", "blue"]),
    new Intl.ListFormat("en", { type: "disjunction" }).format(["tea", "coffee"]),
    rtf.format(-1, "day"), rtf.format(3, "weeks"), new Intl.RelativeTimeFormat("en").format(-2, "hour"),
    [1, 2, 3, 4, 11, 21, 112].map((n) => `${n}:${pr.select(n)}`).join(" "), new Intl.PluralRules("en").select(1),
    ["b", "a", "B", "á", "A", "item10", "item9"].sort(new Intl.Collator("en", { numeric: true }).compare).join(" "),
    ["résumé", "resume", "Resume"].sort((x, y) => x.localeCompare(y)).join(" "),
    new Intl.Collator("en", { sensitivity: "base" }).compare("a", "Á"), Intl.getCanonicalLocales(["EN-us", "de-de"]).join(","),
    Intl.NumberFormat.supportedLocalesOf(["en-US", "de-DE"]).join(","), String(Intl),
  ].join("\n");
};
$$;
SELECT intl_words();
-- What is not there says so.
CREATE FUNCTION intl_errors() RETURNS text LANGUAGE plts AS $$
export default () => {
  const attempts: [string, () => unknown][] = [
    ["unknown zone", () => new Intl.DateTimeFormat("en-US", { timeZone: "Mars/Olympus" })],
    ["bad locale", () => new Intl.NumberFormat("not a locale!")],
    ["compact notation", () => new Intl.NumberFormat("en", { notation: "compact" })],
    ["unit style", () => new Intl.NumberFormat("en", { style: "unit", unit: "meter" })],
    ["currency without code", () => new Intl.NumberFormat("en", { style: "currency" })],
    ["invalid date", () => new Intl.DateTimeFormat("en").format(new Date(NaN))],
    ["dateStyle with a field", () => new Intl.DateTimeFormat("en", { dateStyle: "short", hour: "numeric" })],
    ["Segmenter", () => new (Intl as any).Segmenter("en")],
  ];
  return attempts.map(([what, attempt]) => {
    try { attempt(); return `${what}: succeeded`; } catch (e: any) { return `${what}: ${e.name}: ${e.message}`; }
  }).join("\n");
};
$$;
SELECT intl_errors();
-- A library may replace Intl, as in Deno.
DO $$ globalThis.Intl = { custom: true } as any; if (!(Intl as any).custom) throw new Error("not replaced"); $$ LANGUAGE plts;
