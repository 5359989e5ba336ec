// Intl for the en-US locale, since QuickJS has no Intl: NumberFormat, DateTimeFormat, PluralRules,
// ListFormat, RelativeTimeFormat and Collator, with the output ICU gives Deno for en-US, and the
// toLocaleString methods of numbers, bigints, dates and strings built on them. Every locale resolves
// to en-US (as Intl falls back to its default locale); time zones come from PostgreSQL (ctx/intl.rs),
// the default being the session's TimeZone. prelude.js evaluates this at the first use.
(function (native) {
  "use strict";
  const LOCALE = "en-US";

  // --- locales and options ------------------------------------------------------------------------
  const TAG = /^[a-z]{2,8}(-[a-z0-9]{1,8})*$/i;
  const canonical = (tag) =>
    tag.split("-").map((part, i) => i === 0 ? part.toLowerCase() : part.length === 2 ? part.toUpperCase() : part.length === 4 ? part[0].toUpperCase() + part.slice(1).toLowerCase() : part.toLowerCase()).join("-");
  const localeList = (locales) => {
    if (locales === undefined) return [];
    const list = typeof locales === "string" ? [locales] : [...locales];
    return list.map((tag) => {
      if (typeof tag !== "string" || !TAG.test(tag)) throw new RangeError(`Incorrect locale information provided: ${String(tag)}`);
      return canonical(tag);
    });
  };
  const resolveLocale = (locales) => {
    localeList(locales);
    return LOCALE;
  };
  const supportedLocalesOf = (locales) => localeList(locales).filter((tag) => tag === "en" || tag === "en-US");
  const option = (options, name, allowed, fallback) => {
    const value = options[name];
    if (value === undefined) return fallback;
    const text = typeof value === "boolean" && allowed.includes(value) ? value : String(value);
    if (!allowed.includes(text)) {
      throw new RangeError(`Value ${String(value)} out of range for Intl options property ${name} (plts has ${allowed.join(", ")})`);
    }
    return text;
  };
  const digits = (options, name, min, max, fallback) => {
    const value = options[name];
    if (value === undefined) return fallback;
    const n = Math.floor(Number(value));
    if (!(n >= min && n <= max)) throw new RangeError(`${name} value is out of range: ${String(value)}`);
    return n;
  };
  const optionsObject = (options) => options === undefined ? {} : Object(options);

  // --- NumberFormat -------------------------------------------------------------------------------
  const SYMBOLS = { USD: "$", EUR: "€", GBP: "£", JPY: "¥", CNY: "CN¥", CAD: "CA$", AUD: "A$", INR: "₹", KRW: "₩", MXN: "MX$", BRL: "R$", ILS: "₪", VND: "₫", TWD: "NT$", NZD: "NZ$", HKD: "HK$", PHP: "₱" };
  const NARROW = { CAD: "$", AUD: "$", MXN: "$", NZD: "$", HKD: "$", TWD: "$", CNY: "¥", BRL: "R$" };
  const ZERO_DIGIT_CURRENCIES = new Set(["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG"]);

  // A non-negative number or bigint as decimal digits and the position of the point in them
  // ("1.005": digits "1005", point 1). ICU rounds the shortest decimal that reads back as the
  // double, which is what String(x) writes, not the double's exact binary value.
  const decimal = (abs) => {
    if (typeof abs === "bigint") return { digits: abs.toString(), point: abs.toString().length };
    const [mantissa, exp = "0"] = String(abs).split("e");
    const [int, frac = ""] = mantissa.split(".");
    const digits = (int + frac).replace(/^0+/, "");
    const lead = (int + frac).length - digits.length;
    return digits ? { digits, point: int.length + Number(exp) - lead } : { digits: "0", point: 1 };
  };
  // Rounds half away from zero ("halfExpand") to `keep` digits.
  const roundDigits = ({ digits, point }, keep) => {
    if (keep >= digits.length) return { digits, point };
    if (keep < 0) return { digits: "0", point: 1 };
    let kept = digits.slice(0, keep);
    if (digits[keep] >= "5") {
      const up = (BigInt(kept || "0") + 1n).toString();
      if (up.length > keep) point++;
      kept = up;
    }
    return kept && !/^0*$/.test(kept) ? { digits: kept, point } : { digits: "0", point: 1 };
  };
  // The rounded number as integer and fraction digits, with at least `minFraction` fraction digits
  // (and trailing zeros past them dropped).
  const render = ({ digits, point }, minFraction) => {
    const int = point <= 0 ? "0" : digits.slice(0, point).padEnd(point, "0");
    let fraction = point < 0 ? "0".repeat(-point) + digits : digits.slice(Math.max(point, 0));
    fraction = fraction.replace(/0+$/, "");
    if (fraction.length < minFraction) fraction = fraction.padEnd(minFraction, "0");
    return fraction ? [int, fraction] : [int];
  };
  const groupInteger = (int, grouping) => {
    if (grouping === false || (grouping === "min2" && int.length < 5)) return [int];
    const groups = [];
    for (let end = int.length; end > 0; end -= 3) groups.unshift(int.slice(Math.max(0, end - 3), end));
    return groups;
  };

  class NumberFormat {
    #o;
    constructor(locales, options) {
      const opts = optionsObject(options);
      const style = option(opts, "style", ["decimal", "percent", "currency"], "decimal");
      const notation = option(opts, "notation", ["standard"], "standard");
      let currency;
      if (style === "currency") {
        if (opts.currency === undefined) throw new TypeError("Currency code is required with currency style.");
        currency = String(opts.currency).toUpperCase();
        if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`Invalid currency code : ${opts.currency}`);
      }
      const currencyDisplay = option(opts, "currencyDisplay", ["symbol", "narrowSymbol", "code"], "symbol");
      const currencyDigits = currency && ZERO_DIGIT_CURRENCIES.has(currency) ? 0 : 2;
      const minimumIntegerDigits = digits(opts, "minimumIntegerDigits", 1, 21, 1);
      const defaultMin = style === "currency" ? currencyDigits : 0;
      const defaultMax = style === "currency" ? currencyDigits : style === "percent" ? 0 : 3;
      let minimumFractionDigits = digits(opts, "minimumFractionDigits", 0, 100, undefined);
      let maximumFractionDigits = digits(opts, "maximumFractionDigits", 0, 100, undefined);
      if (minimumFractionDigits === undefined) minimumFractionDigits = Math.min(defaultMin, maximumFractionDigits ?? defaultMin);
      if (maximumFractionDigits === undefined) maximumFractionDigits = Math.max(defaultMax, minimumFractionDigits);
      if (minimumFractionDigits > maximumFractionDigits) throw new RangeError("maximumFractionDigits value is out of range.");
      const hasSignificant = opts.minimumSignificantDigits !== undefined || opts.maximumSignificantDigits !== undefined;
      const minimumSignificantDigits = hasSignificant ? digits(opts, "minimumSignificantDigits", 1, 21, 1) : undefined;
      const maximumSignificantDigits = hasSignificant ? digits(opts, "maximumSignificantDigits", minimumSignificantDigits, 21, 21) : undefined;
      const grouping = opts.useGrouping;
      const useGrouping = grouping === undefined || grouping === true || grouping === "always" || grouping === "auto" ? "auto" : grouping === "min2" ? "min2" : grouping === false || grouping === "false" ? false : (() => {
        throw new RangeError(`Value ${String(grouping)} out of range for Intl.NumberFormat options property useGrouping`);
      })();
      const signDisplay = option(opts, "signDisplay", ["auto", "never", "always", "exceptZero", "negative"], "auto");
      this.#o = {
        locale: resolveLocale(locales), numberingSystem: "latn", style, currency, currencyDisplay: currency ? currencyDisplay : undefined,
        minimumIntegerDigits, minimumFractionDigits, maximumFractionDigits, minimumSignificantDigits, maximumSignificantDigits,
        useGrouping, notation, signDisplay, roundingMode: "halfExpand",
      };
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
    get format() {
      return (value) => this.formatToParts(value).map((p) => p.value).join("");
    }
    formatToParts(value) {
      const o = this.#o;
      let x = typeof value === "bigint" ? value : Number(value);
      const parts = [];
      const negative = typeof x === "bigint" ? x < 0n : x < 0 || Object.is(x, -0);
      let body;
      if (typeof x === "number" && !Number.isFinite(x)) {
        body = [{ type: Number.isNaN(x) ? "nan" : "infinity", value: Number.isNaN(x) ? "NaN" : "∞" }];
      } else {
        const exact = decimal(typeof x === "bigint" ? (negative ? -x : x) : Math.abs(x));
        // A percent is the number times 100: moving the point is exact.
        if (o.style === "percent" && exact.digits !== "0") exact.point += 2;
        let int, fraction;
        if (o.minimumSignificantDigits !== undefined) {
          const rounded = roundDigits(exact, o.maximumSignificantDigits);
          [int, fraction] = render(rounded, Math.max(0, o.minimumSignificantDigits - rounded.point));
        } else {
          [int, fraction] = render(roundDigits(exact, exact.point + o.maximumFractionDigits), o.minimumFractionDigits);
        }
        int = int.padStart(o.minimumIntegerDigits, "0");
        body = [];
        groupInteger(int, o.useGrouping).forEach((group, i) => {
          if (i > 0) body.push({ type: "group", value: "," });
          body.push({ type: "integer", value: group });
        });
        if (fraction !== undefined) body.push({ type: "decimal", value: "." }, { type: "fraction", value: fraction });
      }
      const isZero = Number.isFinite(Number(x)) && body.every((p) => p.type !== "integer" && p.type !== "fraction" || /^0*$/.test(p.value));
      const sign = Number.isNaN(Number(x)) ? (o.signDisplay === "always" ? "+" : "") : negative
        ? (o.signDisplay === "never" || (isZero && (o.signDisplay === "exceptZero" || o.signDisplay === "negative")) ? "" : "-")
        : (o.signDisplay === "always" || (o.signDisplay === "exceptZero" && !isZero) ? "+" : "");
      if (sign) parts.push({ type: sign === "-" ? "minusSign" : "plusSign", value: sign });
      if (o.style === "currency") {
        const symbol = o.currencyDisplay === "code" ? o.currency : o.currencyDisplay === "narrowSymbol" ? (NARROW[o.currency] ?? SYMBOLS[o.currency] ?? o.currency) : (SYMBOLS[o.currency] ?? o.currency);
        parts.push({ type: "currency", value: symbol });
        if (/[A-Z]$/.test(symbol) && Number.isFinite(Number(x))) parts.push({ type: "literal", value: "\u00a0" });
      }
      parts.push(...body);
      if (o.style === "percent") parts.push({ type: "percentSign", value: "%" });
      return parts;
    }
    resolvedOptions() {
      return Object.fromEntries(Object.entries(this.#o).filter(([, v]) => v !== undefined));
    }
    get [Symbol.toStringTag]() {
      return "Intl.NumberFormat";
    }
  }

  // --- DateTimeFormat -----------------------------------------------------------------------------
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  // en-US names of the zones that have them; others are written as GMT offsets, as ICU does.
  const ZONE_NAMES = {
    UTC: ["UTC", "Coordinated Universal Time"], "Etc/UTC": ["UTC", "Coordinated Universal Time"], GMT: ["GMT", "Greenwich Mean Time"],
    EST: ["EST", "Eastern Standard Time"], EDT: ["EDT", "Eastern Daylight Time"], CST: ["CST", "Central Standard Time"],
    CDT: ["CDT", "Central Daylight Time"], MST: ["MST", "Mountain Standard Time"], MDT: ["MDT", "Mountain Daylight Time"],
    PST: ["PST", "Pacific Standard Time"], PDT: ["PDT", "Pacific Daylight Time"], AKST: ["AKST", "Alaska Standard Time"],
    AKDT: ["AKDT", "Alaska Daylight Time"], HST: ["HST", "Hawaii-Aleutian Standard Time"],
  };
  // Long names ICU gives outside the US, by PostgreSQL's abbreviation (short names there are offsets).
  const LONG_NAMES = {
    CET: "Central European Standard Time", CEST: "Central European Summer Time", EET: "Eastern European Standard Time",
    EEST: "Eastern European Summer Time", WET: "Western European Standard Time", WEST: "Western European Summer Time",
    BST: "British Summer Time", IST: "India Standard Time", JST: "Japan Standard Time", KST: "Korean Standard Time",
    HKT: "Hong Kong Standard Time", AEST: "Australian Eastern Standard Time", AEDT: "Australian Eastern Daylight Time",
    ACST: "Australian Central Standard Time", ACDT: "Australian Central Daylight Time", AWST: "Australian Western Standard Time",
    NZST: "New Zealand Standard Time", NZDT: "New Zealand Daylight Time", MSK: "Moscow Standard Time",
  };
  const US_ZONES = /^(America\/(New_York|Detroit|Chicago|Denver|Phoenix|Los_Angeles|Anchorage|Indiana\/.*|Kentucky\/.*|Boise)|Pacific\/Honolulu|US\/.*|EST5EDT|CST6CDT|MST7MDT|PST8PDT)$/;
  const gmtOffset = (seconds, long) => {
    if (seconds === 0) return "GMT";
    const sign = seconds < 0 ? "-" : "+";
    const abs = Math.abs(seconds);
    const h = Math.floor(abs / 3600);
    const m = Math.floor((abs % 3600) / 60);
    return long ? `GMT${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}` : `GMT${sign}${h}${m ? `:${String(m).padStart(2, "0")}` : ""}`;
  };
  const zoneLabel = (zone, style) => {
    const utc = zone.name === "UTC" || zone.name === "Etc/UTC" || zone.name === "Etc/UCT" || zone.name === "UCT" || zone.name === "Zulu";
    const named = utc ? ZONE_NAMES.UTC : US_ZONES.test(zone.name) ? ZONE_NAMES[zone.abbreviation] : undefined;
    if (style === "shortOffset") return gmtOffset(zone.offset, false);
    if (style === "longOffset") return gmtOffset(zone.offset, true);
    if (named) return style === "long" ? named[1] : named[0];
    if (zone.name === "Europe/London" && zone.abbreviation === "GMT") return style === "long" ? "Greenwich Mean Time" : "GMT";
    if (style === "long" && LONG_NAMES[zone.abbreviation]) return LONG_NAMES[zone.abbreviation];
    return gmtOffset(zone.offset, style === "long");
  };
  const FIELDS = ["weekday", "era", "year", "month", "day", "hour", "minute", "second", "fractionalSecondDigits"];
  const DATE_STYLES = { full: { weekday: "long", year: "numeric", month: "long", day: "numeric" }, long: { year: "numeric", month: "long", day: "numeric" }, medium: { year: "numeric", month: "short", day: "numeric" }, short: { year: "2-digit", month: "numeric", day: "numeric" } };
  const TIME_STYLES = { full: { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "long" }, long: { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short" }, medium: { hour: "numeric", minute: "2-digit", second: "2-digit" }, short: { hour: "numeric", minute: "2-digit" } };

  const DATE_FIELDS = ["weekday", "year", "month", "day"];
  const TIME_FIELDS = ["hour", "minute", "second", "fractionalSecondDigits"];
  // Which fields a format must have and which it gets when it has none (ECMA-402's
  // ToDateTimeOptions): `any` for new DateTimeFormat, `all` for Date.prototype.toLocaleString,
  // `date` and `time` for toLocaleDateString and toLocaleTimeString.
  const KINDS = { any: ["any", "date"], all: ["any", "all"], date: ["date", "date"], time: ["time", "time"] };

  class DateTimeFormat {
    #o;
    #zoneName;
    constructor(locales, options, kind = "any") {
      const opts = optionsObject(options);
      const o = { locale: resolveLocale(locales), calendar: "gregory", numberingSystem: "latn" };
      const zone = opts.timeZone === undefined ? null : String(opts.timeZone);
      this.#zoneName = zone;
      o.timeZone = native.zoneAt(zone, 0)[2] || zone || "UTC";
      const hour12 = opts.hour12 === undefined ? undefined : Boolean(opts.hour12);
      const hourCycle = option(opts, "hourCycle", ["h11", "h12", "h23", "h24"], undefined);
      const dateStyle = option(opts, "dateStyle", ["full", "long", "medium", "short"], undefined);
      const timeStyle = option(opts, "timeStyle", ["full", "long", "medium", "short"], undefined);
      const fields = {
        weekday: option(opts, "weekday", ["long", "short", "narrow"], undefined),
        year: option(opts, "year", ["numeric", "2-digit"], undefined),
        month: option(opts, "month", ["numeric", "2-digit", "long", "short", "narrow"], undefined),
        day: option(opts, "day", ["numeric", "2-digit"], undefined),
        hour: option(opts, "hour", ["numeric", "2-digit"], undefined),
        minute: option(opts, "minute", ["numeric", "2-digit"], undefined),
        second: option(opts, "second", ["numeric", "2-digit"], undefined),
        fractionalSecondDigits: digits(opts, "fractionalSecondDigits", 1, 3, undefined),
        timeZoneName: option(opts, "timeZoneName", ["short", "long", "shortOffset", "longOffset"], undefined),
      };
      if (opts.era !== undefined) throw new RangeError("Intl.DateTimeFormat's era option is not supported in plts");
      if ((kind === "date" && timeStyle) || (kind === "time" && dateStyle)) {
        throw new TypeError(`Invalid option : ${kind === "date" ? "timeStyle" : "dateStyle"}`);
      }
      if (dateStyle || timeStyle) {
        if (FIELDS.some((f) => fields[f] !== undefined) || fields.timeZoneName) {
          throw new TypeError("Can't set option " + FIELDS.concat("timeZoneName").find((f) => fields[f] !== undefined) + " when dateStyle or timeStyle is used");
        }
        Object.assign(fields, dateStyle ? DATE_STYLES[dateStyle] : {}, timeStyle ? TIME_STYLES[timeStyle] : {});
        if (dateStyle) o.dateStyle = dateStyle;
        if (timeStyle) o.timeStyle = timeStyle;
      } else {
        const [required, defaults] = KINDS[kind];
        const present = (list) => list.some((f) => fields[f] !== undefined);
        const need = required === "date" ? !present(DATE_FIELDS) : required === "time" ? !present(TIME_FIELDS) : !present(DATE_FIELDS) && !present(TIME_FIELDS);
        if (need && defaults !== "time") fields.year = fields.month = fields.day = "numeric";
        if (need && defaults !== "date") fields.hour = fields.minute = fields.second = "numeric";
      }
      if (fields.hour !== undefined) {
        o.hourCycle = hour12 === true ? "h12" : hour12 === false ? "h23" : hourCycle ?? "h12";
        o.hour12 = o.hourCycle === "h12" || o.hourCycle === "h11";
      }
      for (const f of [...FIELDS, "timeZoneName"]) if (fields[f] !== undefined) o[f] = fields[f];
      // With an hour, ICU writes minutes and seconds with two digits.
      if (o.hour !== undefined) {
        if (o.minute) o.minute = "2-digit";
        if (o.second) o.second = "2-digit";
      }
      this.#o = o;
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
    get format() {
      return (date) => this.formatToParts(date).map((p) => p.value).join("");
    }
    formatToParts(date) {
      const ms = date === undefined ? Date.now() : Number(date instanceof Date ? date.getTime() : date);
      if (!Number.isFinite(ms)) throw new RangeError("Invalid time value");
      const o = this.#o;
      const [offset, abbreviation, name] = native.zoneAt(this.#zoneName, ms);
      const zone = { offset, abbreviation, name };
      const t = new Date(ms + offset * 1000);
      const v = { year: t.getUTCFullYear(), month: t.getUTCMonth(), day: t.getUTCDate(), weekday: t.getUTCDay(), hour: t.getUTCHours(), minute: t.getUTCMinutes(), second: t.getUTCSeconds(), ms: t.getUTCMilliseconds() };
      const two = (n) => String(n).padStart(2, "0");
      const parts = [];
      const lit = (value) => parts.push({ type: "literal", value });
      const textMonth = o.month === "long" || o.month === "short" || o.month === "narrow";
      const monthText = () => o.month === "long" ? MONTHS[v.month] : o.month === "short" ? MONTHS[v.month].slice(0, 3) : MONTHS[v.month][0];
      const year = () => ({ type: "year", value: o.year === "2-digit" ? two(v.year % 100) : String(v.year) });
      const day = () => ({ type: "day", value: o.day === "2-digit" ? two(v.day) : String(v.day) });
      const hasDate = o.year || o.month || o.day || o.weekday;
      if (o.weekday) {
        parts.push({ type: "weekday", value: o.weekday === "long" ? DAYS[v.weekday] : o.weekday === "short" ? DAYS[v.weekday].slice(0, 3) : DAYS[v.weekday][0] });
        if (o.year || o.month || o.day) lit(", ");
      }
      if (textMonth) {
        if (o.month) parts.push({ type: "month", value: monthText() });
        if (o.day) {
          lit(" ");
          parts.push(day());
        }
        if (o.year) {
          lit(o.day ? ", " : " ");
          parts.push(year());
        }
      } else {
        const seq = [];
        if (o.month) seq.push({ type: "month", value: o.month === "2-digit" ? two(v.month + 1) : String(v.month + 1) });
        if (o.day) seq.push(day());
        if (o.year) seq.push(year());
        seq.forEach((p, i) => {
          if (i > 0) lit("/");
          parts.push(p);
        });
      }
      if (o.hour !== undefined || o.minute || o.second || o.fractionalSecondDigits) {
        // ICU's en glue: "December 3, 2026 at 8:30 AM", "Thursday 8 AM", "12/3/2026, 8:30 AM".
        if (hasDate) lit(o.month === "long" ? " at " : o.weekday && !o.year && !o.month && !o.day ? " " : ", ");
        const h12 = o.hourCycle === "h12" || o.hourCycle === "h11";
        const seq = [];
        if (o.hour !== undefined) {
          const h = o.hourCycle === "h11" ? v.hour % 12 : h12 ? v.hour % 12 || 12 : o.hourCycle === "h24" ? v.hour || 24 : v.hour;
          seq.push({ type: "hour", value: o.hour === "2-digit" || !h12 ? two(h) : String(h) });
        }
        if (o.minute) seq.push({ type: "minute", value: o.hour !== undefined || o.minute === "2-digit" ? two(v.minute) : String(v.minute) });
        if (o.second) seq.push({ type: "second", value: o.hour !== undefined || o.minute || o.second === "2-digit" ? two(v.second) : String(v.second) });
        seq.forEach((p, i) => {
          if (i > 0) lit(":");
          parts.push(p);
        });
        if (o.fractionalSecondDigits) {
          if (seq.length) lit(".");
          parts.push({ type: "fractionalSecond", value: String(v.ms).padStart(3, "0").slice(0, o.fractionalSecondDigits) });
        }
        if (o.hour !== undefined && h12) {
          lit(" ");
          parts.push({ type: "dayPeriod", value: v.hour < 12 ? "AM" : "PM" });
        }
      }
      if (o.timeZoneName) {
        if (parts.length) lit(o.hour !== undefined || o.minute || o.second ? " " : ", ");
        parts.push({ type: "timeZoneName", value: zoneLabel(zone, o.timeZoneName) });
      }
      return parts;
    }
    resolvedOptions() {
      return { ...this.#o };
    }
    get [Symbol.toStringTag]() {
      return "Intl.DateTimeFormat";
    }
  }

  // --- PluralRules, ListFormat, RelativeTimeFormat, Collator --------------------------------------
  class PluralRules {
    #type;
    constructor(locales, options) {
      resolveLocale(locales);
      this.#type = option(optionsObject(options), "type", ["cardinal", "ordinal"], "cardinal");
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
    select(n) {
      const x = Math.abs(Number(n));
      if (this.#type === "cardinal") return x === 1 ? "one" : "other";
      const tens = x % 100;
      if (!Number.isInteger(x)) return "other";
      return x % 10 === 1 && tens !== 11 ? "one" : x % 10 === 2 && tens !== 12 ? "two" : x % 10 === 3 && tens !== 13 ? "few" : "other";
    }
    resolvedOptions() {
      return { locale: LOCALE, type: this.#type, minimumIntegerDigits: 1, minimumFractionDigits: 0, maximumFractionDigits: 3, pluralCategories: this.#type === "cardinal" ? ["one", "other"] : ["few", "one", "two", "other"] };
    }
  }

  class ListFormat {
    #type;
    #style;
    constructor(locales, options) {
      resolveLocale(locales);
      const opts = optionsObject(options);
      this.#type = option(opts, "type", ["conjunction", "disjunction", "unit"], "conjunction");
      this.#style = option(opts, "style", ["long", "short", "narrow"], "long");
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
    format(list) {
      const items = [...list].map((item) => {
        if (typeof item !== "string") throw new TypeError("Iterable yielded " + String(item) + " which is not a string");
        return item;
      });
      const word = this.#type === "disjunction" ? "or" : this.#type === "unit" ? "" : this.#style === "long" ? "and" : this.#style === "short" ? "&" : "";
      if (items.length < 2) return items.join("");
      if (!word) return items.join(this.#type === "unit" && this.#style === "narrow" ? " " : ", ");
      if (items.length === 2) return `${items[0]} ${word} ${items[1]}`;
      return `${items.slice(0, -1).join(", ")}, ${word} ${items[items.length - 1]}`;
    }
    resolvedOptions() {
      return { locale: LOCALE, type: this.#type, style: this.#style };
    }
  }

  const UNITS = ["year", "quarter", "month", "week", "day", "hour", "minute", "second"];
  const AUTO = { day: { "-1": "yesterday", 0: "today", 1: "tomorrow" }, year: { "-1": "last year", 0: "this year", 1: "next year" }, quarter: { "-1": "last quarter", 0: "this quarter", 1: "next quarter" }, month: { "-1": "last month", 0: "this month", 1: "next month" }, week: { "-1": "last week", 0: "this week", 1: "next week" }, hour: { 0: "this hour" }, minute: { 0: "this minute" }, second: { 0: "now" } };
  class RelativeTimeFormat {
    #numeric;
    #number = new NumberFormat();
    constructor(locales, options) {
      resolveLocale(locales);
      const opts = optionsObject(options);
      option(opts, "style", ["long"], "long");
      this.#numeric = option(opts, "numeric", ["always", "auto"], "always");
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
    format(value, unit) {
      const x = Number(value);
      if (!Number.isFinite(x)) throw new RangeError(`Invalid value: ${String(value)}`);
      const u = String(unit).replace(/s$/, "");
      if (!UNITS.includes(u)) throw new RangeError(`Invalid unit argument for format() '${String(unit)}'`);
      const auto = this.#numeric === "auto" ? AUTO[u]?.[Object.is(x, -0) ? 0 : x] : undefined;
      if (auto) return auto;
      const n = this.#number.format(Math.abs(x));
      const label = Math.abs(x) === 1 ? u : `${u}s`;
      return x < 0 || Object.is(x, -0) ? `${n} ${label} ago` : `in ${n} ${label}`;
    }
    resolvedOptions() {
      return { locale: LOCALE, style: "long", numeric: this.#numeric, numberingSystem: "latn" };
    }
  }

  // The root collation's three levels for Latin text: letters without accents or case first, then
  // accents, then case (lowercase first); `numeric` compares runs of digits as numbers.
  const baseOf = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const accentsOf = (s) => s.normalize("NFD").toLowerCase();
  const compareText = (a, b) => a < b ? -1 : a > b ? 1 : 0;
  // Punctuation and spaces sort before digits, digits before letters, as in the root collation.
  // With `numeric`, a run of digits weighs by its length (leading zeros dropped) and then its digits;
  // accents weigh more than any letter, so "eclair" sorts before "éclair".
  const weigh = (s, numeric) =>
    (numeric ? s.replace(/[0-9]+/g, (run) => {
      const n = run.replace(/^0+(?=.)/, "");
      return String.fromCharCode(0x2700 + Math.min(n.length, 255)) + n;
    }) : s).replace(/[\u0300-\u036f]/g, (mark) => String.fromCharCode(0xf000 + mark.charCodeAt(0))).replace(/[0-9]/g, (d) => String.fromCharCode(0x2800 + Number(d))).replace(/[a-z]/g, (c) => String.fromCharCode(0x3041 + c.charCodeAt(0) - 97));
  class Collator {
    #sensitivity;
    #numeric;
    constructor(locales, options) {
      resolveLocale(locales);
      const opts = optionsObject(options);
      this.#sensitivity = option(opts, "sensitivity", ["base", "accent", "case", "variant"], "variant");
      this.#numeric = Boolean(opts.numeric);
    }
    static supportedLocalesOf(locales) {
      return supportedLocalesOf(locales);
    }
    get compare() {
      return (a, b) => {
        const x = String(a);
        const y = String(b);
        const base = compareText(weigh(baseOf(x), this.#numeric), weigh(baseOf(y), this.#numeric));
        if (base !== 0 || this.#sensitivity === "base") return base;
        if (this.#sensitivity !== "case") {
          const accents = compareText(weigh(accentsOf(x), this.#numeric), weigh(accentsOf(y), this.#numeric));
          if (accents !== 0 || this.#sensitivity === "accent") return accents;
        }
        // Lowercase first: swapping case makes code-point order put lowercase first.
        const swap = (s) => s.normalize("NFD").replace(/[a-zA-Z]/g, (c) => c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
        return compareText(weigh(swap(x), this.#numeric), weigh(swap(y), this.#numeric));
      };
    }
    resolvedOptions() {
      return { locale: LOCALE, usage: "sort", sensitivity: this.#sensitivity, ignorePunctuation: false, collation: "default", numeric: this.#numeric, caseFirst: "false" };
    }
  }

  const Intl = {
    NumberFormat,
    DateTimeFormat,
    PluralRules,
    ListFormat,
    RelativeTimeFormat,
    Collator,
    getCanonicalLocales: (locales) => [...new Set(localeList(locales))],
    supportedValuesOf: (key) => {
      throw new RangeError(`Intl.supportedValuesOf(${JSON.stringify(key)}) is not supported in plts`);
    },
  };
  Object.defineProperty(Intl, Symbol.toStringTag, { value: "Intl" });

  // The toLocaleString methods, in Deno's defaults.
  const dateFormats = new Map();
  const dateFormat = (kind, locales, options) => {
    if (locales !== undefined || options !== undefined) return new DateTimeFormat(locales, options, kind);
    let format = dateFormats.get(kind);
    if (!format) dateFormats.set(kind, format = new DateTimeFormat(undefined, undefined, kind));
    return format;
  };
  let defaultCollator;
  const toLocale = {
    number: (x, locales, options) => new NumberFormat(locales, options).format(x),
    date: (date, kind, locales, options, time) => Number.isNaN(time) ? "Invalid Date" : dateFormat(kind, locales, options).format(time),
    compare: (a, b, locales, options) =>
      (locales === undefined && options === undefined ? (defaultCollator ??= new Collator()) : new Collator(locales, options)).compare(a, b),
  };
  return { Intl, toLocale };
})
