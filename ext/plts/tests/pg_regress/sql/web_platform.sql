-- The web-platform APIs without I/O, as in Deno: console, TextEncoder, TextDecoder, crypto, structuredClone.
-- Timers, fetch and Deno are absent, and the error says why.
\set SHOW_CONTEXT never
SET client_min_messages = debug1;
DO $$
console.log("log %s and %d", "text", 42, { a: [1, "two"] });
console.info("info", new Map([["k", 1]]), new Set([1]), new Date(0));
console.warn("warn: %o", { nested: { deep: true } });
console.error(new Error("boom"));
console.debug("debug %i%%", 7.9);
console.assert(1 === 2, "one is not two");
console.count(); console.count();
$$ LANGUAGE plts;
RESET client_min_messages;
CREATE FUNCTION web_text(s text) RETURNS text LANGUAGE plts AS $$
export default (_ctx: unknown, s: string) => {
  const bytes = new TextEncoder().encode(s);
  const back = new TextDecoder().decode(bytes);
  const into = new Uint8Array(4);
  const { read, written } = new TextEncoder().encodeInto(s, into);
  return `${bytes.length} bytes [${Array.from(bytes.slice(0, 6)).join(",")}], round trip ${back === s}, encodeInto read ${read} wrote ${written}`;
};
$$;
SELECT web_text('héllo €𝄞');
CREATE FUNCTION web_decode() RETURNS text LANGUAGE plts AS $$
export default () => {
  const bad = new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82]);
  const lenient = new TextDecoder().decode(bad);
  let fatal;
  try { new TextDecoder("utf-8", { fatal: true }).decode(bad); fatal = "decoded"; } catch (e: any) { fatal = `${e.name}: ${e.message}`; }
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x78]);
  let latin;
  try { new TextDecoder("latin1"); latin = "made"; } catch (e: any) { latin = `${e.name}: ${e.message}`; }
  return [JSON.stringify(lenient), fatal, new TextDecoder().decode(bom).length, new TextDecoder("utf-8", { ignoreBOM: true }).decode(bom).length, latin].join(" | ");
};
$$;
SELECT web_decode();
CREATE FUNCTION web_crypto() RETURNS text LANGUAGE plts AS $$
export default () => {
  const a = crypto.getRandomValues(new Uint8Array(32));
  const b = crypto.getRandomValues(new Uint32Array(4));
  const uuid = crypto.randomUUID();
  let tooMany;
  try { crypto.getRandomValues(new Uint8Array(65537)); tooMany = "filled"; } catch (e: any) { tooMany = e.name; }
  let floats;
  try { crypto.getRandomValues(new Float64Array(2) as any); floats = "filled"; } catch (e: any) { floats = e.name; }
  return [a.length, a.some((x) => x !== 0), b.length, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid), uuid !== crypto.randomUUID(), tooMany, floats].join(" ");
};
$$;
SELECT web_crypto();
CREATE FUNCTION web_clone() RETURNS text LANGUAGE plts AS $$
export default () => {
  const original: any = { n: 1, d: new Date(86400000), m: new Map([["k", { v: 1 }]]), s: new Set([1, 2]), bytes: new Uint8Array([1, 2]), list: [1, { x: 2 }] };
  original.self = original;
  const copy = structuredClone(original);
  copy.list[1].x = 99;
  copy.m.get("k").v = 99;
  let fn;
  try { structuredClone({ f() {} }); fn = "cloned"; } catch (e: any) { fn = `${e.name}: ${e.message}`; }
  return [copy !== original, copy.self === copy, copy.d instanceof Date && copy.d.getTime(), original.list[1].x, original.m.get("k").v, copy.s.has(2), copy.bytes[1], fn].join(" ");
};
$$;
SELECT web_clone();
-- a library may replace them, as in Deno
DO $$ (globalThis as any).structuredClone = () => "mine"; console.log((globalThis as any).structuredClone()) $$ LANGUAGE plts;
-- timers, fetch and Deno are absent: the error says why
CREATE FUNCTION web_timer() RETURNS int LANGUAGE plts AS $$ export default () => { setTimeout(() => {}, 10); return 1; } $$;
SELECT web_timer();
CREATE FUNCTION web_fetch() RETURNS int LANGUAGE plts AS $$ export default async () => { await fetch("https://example.com"); return 1; } $$;
SELECT web_fetch();
CREATE FUNCTION web_deno() RETURNS text LANGUAGE plts AS $$ export default () => Deno.version.deno $$;
SELECT web_deno();
-- atob, btoa, performance.now and queueMicrotask
CREATE FUNCTION web_basics() RETURNS text LANGUAGE plts AS $$
export default async () => {
  const order: string[] = [];
  queueMicrotask(() => order.push("microtask"));
  order.push("sync");
  await null;
  const t0 = performance.now();
  return [btoa("plts"), atob(btoa("plts")), typeof t0, performance.now() >= t0, order.join(">")].join(" ");
};
$$;
SELECT web_basics();
-- URL and URLSearchParams (the WHATWG URL API of the url crate), crypto.subtle.digest
CREATE FUNCTION web_url() RETURNS text LANGUAGE plts AS $$
export default () => {
  const u = new URL("../b?x=1&y=a+b#top", "https://user:pw@example.com:8080/a/c");
  const parts = [u.href, u.origin, u.protocol, u.username, u.host, u.hostname, u.port, u.pathname, u.search, u.hash].join(" ");
  u.searchParams.append("z", "€ &");
  u.port = "443";
  u.hash = "";
  const p = new URLSearchParams({ b: "2", a: "1" });
  p.append("a", "3");
  p.sort();
  let bad;
  try { new URL("no scheme"); bad = "parsed"; } catch (e: any) { bad = e.name; }
  return [parts, u.href, p.toString(), p.getAll("a").join(","), new URLSearchParams("q=x+y&q=%E2%82%AC").getAll("q").join("|"),
    URL.canParse("mailto:a@b.c"), JSON.stringify({ u: new URL("http://x.test/p") }), bad].join("\n");
};
$$;
SELECT web_url();
CREATE FUNCTION web_digest() RETURNS text LANGUAGE plts AS $$
export default async () => {
  const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
  const data = new TextEncoder().encode("abc");
  const out = [];
  for (const alg of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) out.push(`${alg} ${hex(await crypto.subtle.digest(alg, data)).slice(0, 16)}`);
  try { await crypto.subtle.digest("MD5", data); } catch (e: any) { out.push(`${e.name}: ${e.message}`); }
  return out.join("; ");
};
$$;
SELECT web_digest(), encode(sha256('abc'), 'hex') LIKE 'ba7816bf8f01cfea%' AS matches_postgres;
-- crypto.subtle HMAC: importKey, sign, verify, exportKey, generateKey (RFC 4231 test case 2), and its errors
CREATE FUNCTION web_hmac() RETURNS text LANGUAGE plts AS $$
export default async () => {
  const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
  const enc = new TextEncoder();
  const data = enc.encode("what do ya want for nothing?");
  const out: string[] = [];
  for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) {
    const key = await crypto.subtle.importKey("raw", enc.encode("Jefe"), { name: "HMAC", hash }, true, ["sign", "verify"]);
    const mac = await crypto.subtle.sign("HMAC", key, data);
    out.push(`${hash} ${hex(mac).slice(0, 24)} ${await crypto.subtle.verify("HMAC", key, mac, data)} ${await crypto.subtle.verify({ name: "HMAC" }, key, mac, enc.encode("other"))}`);
  }
  const key = await crypto.subtle.importKey("raw", enc.encode("Jefe"), { name: "HMAC", hash: { name: "SHA-256" } }, true, ["sign"]);
  out.push(`${key} ${key.type} ${key.extractable} ${JSON.stringify(key.algorithm)} ${key.usages} ${key instanceof CryptoKey}`);
  out.push(JSON.stringify(await crypto.subtle.exportKey("jwk", key)), hex(await crypto.subtle.exportKey("raw", key)));
  const jwkKey = await crypto.subtle.importKey("jwk", { kty: "oct", k: "SmVmZQ" }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  out.push(`jwk import signs alike: ${hex(await crypto.subtle.sign("HMAC", jwkKey, data)) === hex(await crypto.subtle.sign("HMAC", key, data))}`);
  const generated = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-512" }, true, ["sign", "verify"]) as CryptoKey;
  out.push(`generated ${JSON.stringify(generated.algorithm)} ${(await crypto.subtle.exportKey("raw", generated)).byteLength} bytes`);
  const attempts: [string, () => Promise<unknown>][] = [
    ["verify with a sign-only key", () => crypto.subtle.verify("HMAC", key, new Uint8Array(32), data)],
    ["export a non-extractable key", () => crypto.subtle.exportKey("raw", jwkKey)],
    ["no usages", () => crypto.subtle.importKey("raw", data, { name: "HMAC", hash: "SHA-256" }, false, [])],
    ["MD5", () => crypto.subtle.importKey("raw", data, { name: "HMAC", hash: "MD5" }, false, ["sign"])],
    ["AES-GCM", () => crypto.subtle.importKey("raw", data, { name: "AES-GCM" }, false, ["encrypt"])],
    ["encrypt", () => crypto.subtle.encrypt({ name: "AES-GCM" }, key, data)],
    ["new CryptoKey", async () => new (CryptoKey as any)()],
  ];
  for (const [what, attempt] of attempts) {
    try { await attempt(); out.push(`${what}: succeeded`); } catch (e: any) { out.push(`${what}: ${e.name}: ${e.message}`); }
  }
  return out.join("\n");
};
$$;
SELECT web_hmac();
