// The web-platform APIs that need no I/O, as Deno has them: console, TextEncoder, TextDecoder,
// crypto.getRandomValues / randomUUID (from PostgreSQL's strong random source) and structuredClone.
// prelude.js installs them on globalThis as lazy getters; the first use in a context evaluates this
// file once and replaces the getters with the values (so a context that never uses them pays nothing).
(function (native) {
  "use strict";

  // --- console: the levels of ctx.log (log/info INFO, warn/error WARNING, debug DEBUG1) --------------
  const inspect = (value, seen = new Set()) => {
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "function") return `[Function: ${value.name || "(anonymous)"}]`;
    if (typeof value === "symbol") return value.toString();
    if (value === null || typeof value !== "object") return String(value);
    if (seen.has(value)) return "[Circular]";
    seen.add(value);
    try {
      if (value instanceof Date) return isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      if (value instanceof Error) return value.stack ? `${value.name}: ${value.message}` : String(value);
      if (value instanceof RegExp) return String(value);
      if (value instanceof Map) {
        return `Map(${value.size}) { ${[...value].map(([k, v]) => `${inspect(k, seen)} => ${inspect(v, seen)}`).join(", ")} }`;
      }
      if (value instanceof Set) return `Set(${value.size}) { ${[...value].map((v) => inspect(v, seen)).join(", ")} }`;
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        return `${value.constructor.name}(${value.length}) [ ${Array.from(value).join(", ")} ]`;
      }
      if (Array.isArray(value)) return `[ ${value.map((v) => inspect(v, seen)).join(", ")} ]`;
      const keys = Object.keys(value);
      const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
      if (keys.length === 0) return `${name}{}`;
      const member = (k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inspect(value[k], seen)}`;
      return `${name}{ ${keys.map(member).join(", ")} }`;
    } finally {
      seen.delete(value);
    }
  };
  // A top-level string is printed as it is; %s %d %i %f %o %O %j %% format as in Deno.
  const format = (args) => {
    if (args.length === 0) return "";
    let rest = args;
    let out = "";
    if (typeof args[0] === "string") {
      let next = 1;
      out = args[0].replace(/%([sdifoOjc%])/g, (match, spec) => {
        if (spec === "%") return "%";
        if (next >= args.length) return match;
        const arg = args[next++];
        switch (spec) {
          case "s":
            return typeof arg === "string" ? arg : inspect(arg);
          case "d":
          case "i":
            return typeof arg === "bigint" ? `${arg}n` : String(spec === "i" ? Math.trunc(Number(arg)) : Number(arg));
          case "f":
            return String(Number(arg));
          case "j":
            return JSON.stringify(arg);
          case "c":
            return "";
          default:
            return inspect(arg);
        }
      });
      rest = args.slice(next);
    } else {
      out = inspect(args[0]);
      rest = args.slice(1);
    }
    for (const arg of rest) out += " " + (typeof arg === "string" ? arg : inspect(arg));
    return out;
  };
  const level = (n) => (...args) => native.log(n, format(args));
  const counts = new Map();
  const console = {
    log: level(1),
    info: level(1),
    debug: level(0),
    trace: level(0),
    warn: level(3),
    error: level(3),
    assert: (condition, ...args) => {
      if (!condition) native.log(3, format(["Assertion failed" + (args.length ? ":" : ""), ...args]));
    },
    count: (label = "default") => {
      counts.set(label, (counts.get(label) ?? 0) + 1);
      native.log(1, `${label}: ${counts.get(label)}`);
    },
    table: level(1),
    dir: (value) => native.log(1, inspect(value)),
  };

  // --- TextEncoder / TextDecoder: UTF-8 ------------------------------------------------------------
  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input = "") {
      const text = String(input);
      const bytes = new Uint8Array(text.length * 3);
      return bytes.slice(0, this.encodeInto(text, bytes).written);
    }
    encodeInto(input, dest) {
      const text = String(input);
      let read = 0, written = 0;
      for (let i = 0; i < text.length; i++) {
        let c = text.charCodeAt(i);
        let units = 1;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            units = 2;
          }
        }
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as in Deno
        const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (written + size > dest.length) break;
        if (size === 1) dest[written++] = c;
        else if (size === 2) {
          dest[written++] = 0xc0 | (c >> 6);
          dest[written++] = 0x80 | (c & 0x3f);
        } else if (size === 3) {
          dest[written++] = 0xe0 | (c >> 12);
          dest[written++] = 0x80 | ((c >> 6) & 0x3f);
          dest[written++] = 0x80 | (c & 0x3f);
        } else {
          dest[written++] = 0xf0 | (c >> 18);
          dest[written++] = 0x80 | ((c >> 12) & 0x3f);
          dest[written++] = 0x80 | ((c >> 6) & 0x3f);
          dest[written++] = 0x80 | (c & 0x3f);
        }
        read += units;
        i += units - 1;
      }
      return { read, written };
    }
  }

  const bytesOf = (input) => {
    if (input === undefined) return new Uint8Array(0);
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw new TypeError("TextDecoder.decode: expected an ArrayBuffer or a view of one");
  };
  class TextDecoder {
    #fatal;
    #ignoreBOM;
    constructor(label = "utf-8", options = {}) {
      const name = String(label).trim().toLowerCase();
      if (name !== "utf-8" && name !== "utf8" && name !== "unicode-1-1-utf-8") {
        throw new RangeError(`TextDecoder: the encoding "${label}" is not supported; plts decodes utf-8 only`);
      }
      this.#fatal = Boolean(options.fatal);
      this.#ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() {
      return "utf-8";
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input, _options) {
      const bytes = bytesOf(input);
      let out = "";
      let i = 0;
      if (!this.#ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
      const bad = () => {
        if (this.#fatal) throw new TypeError("TextDecoder.decode: the data is not valid utf-8");
        out += "\ufffd";
      };
      let chunk = [];
      const flush = () => {
        out += String.fromCharCode.apply(null, chunk);
        chunk = [];
      };
      while (i < bytes.length) {
        const b = bytes[i];
        let need = 0, c = 0, min = 0;
        if (b < 0x80) {
          chunk.push(b);
          i++;
          if (chunk.length > 4096) flush();
          continue;
        } else if (b >= 0xc2 && b <= 0xdf) [need, c, min] = [1, b & 0x1f, 0x80];
        else if (b >= 0xe0 && b <= 0xef) [need, c, min] = [2, b & 0x0f, 0x800];
        else if (b >= 0xf0 && b <= 0xf4) [need, c, min] = [3, b & 0x07, 0x10000];
        else {
          flush();
          bad();
          i++;
          continue;
        }
        let j = 1;
        for (; j <= need; j++) {
          const n = bytes[i + j];
          if (n === undefined || (n & 0xc0) !== 0x80) break;
          c = (c << 6) | (n & 0x3f);
        }
        if (j <= need || c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
          flush();
          bad();
          // A sequence cut short gives one U+FFFD for what it read; a complete one out of range, one
          // for its first byte (the rest follow as bytes of their own).
          i += j <= need ? j : 1;
          continue;
        }
        if (c >= 0x10000) {
          c -= 0x10000;
          chunk.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
        } else chunk.push(c);
        i += need + 1;
        if (chunk.length > 4096) flush();
      }
      flush();
      return out;
    }
  }

  // --- crypto: PostgreSQL's pg_strong_random ---------------------------------------------------------
  const integerArrays = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
  const crypto = {
    getRandomValues(array) {
      if (!integerArrays.some((type) => array instanceof type)) {
        throw new TypeError("crypto.getRandomValues: expected an integer typed array");
      }
      if (array.byteLength > 65536) {
        throw new RangeError(`crypto.getRandomValues: ${array.byteLength} bytes asked, more than 65536 (QuotaExceededError)`);
      }
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(native.randomBytes(array.byteLength));
      return array;
    },
    randomUUID() {
      const b = native.randomBytes(16);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };

  // --- DOMException: the errors of crypto.subtle and structuredClone, as Deno names them ---------------
  const domCodes = { SyntaxError: 12, InvalidAccessError: 15, DataCloneError: 25, NotSupportedError: 9 };
  class DOMException extends Error {
    #name;
    constructor(message = "", name = "Error") {
      super(message);
      this.#name = String(name);
    }
    get name() {
      return this.#name;
    }
    get code() {
      return domCodes[this.#name] ?? 0;
    }
  }

  // --- structuredClone ----------------------------------------------------------------------------------
  const cloneError = (what) => new DOMException(`structuredClone: ${what} could not be cloned`, "DataCloneError");
  const structuredClone = (value) => {
    const seen = new Map();
    const clone = (v) => {
      if (typeof v === "function") throw cloneError(`the function ${v.name || "(anonymous)"}`);
      if (typeof v === "symbol") throw cloneError(String(v));
      if (v === null || typeof v !== "object") return v;
      if (seen.has(v)) return seen.get(v);
      let out;
      if (v instanceof Date) out = new Date(v.getTime());
      else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
      else if (v instanceof ArrayBuffer) out = v.slice(0);
      else if (ArrayBuffer.isView(v)) {
        const buffer = clone(v.buffer);
        out = v instanceof DataView
          ? new DataView(buffer, v.byteOffset, v.byteLength)
          : new v.constructor(buffer, v.byteOffset, v.length);
      } else if (v instanceof Map) {
        out = new Map();
        seen.set(v, out);
        for (const [k, x] of v) out.set(clone(k), clone(x));
        return out;
      } else if (v instanceof Set) {
        out = new Set();
        seen.set(v, out);
        for (const x of v) out.add(clone(x));
        return out;
      } else if (v instanceof Error) {
        out = new Error(v.message);
        out.name = v.name;
      } else if (Array.isArray(v)) {
        out = [];
        seen.set(v, out);
        for (let i = 0; i < v.length; i++) if (i in v) out[i] = clone(v[i]);
        return out;
      } else if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) {
        throw cloneError(`a ${v.constructor.name}`);
      } else {
        out = {};
        seen.set(v, out);
        for (const k of Object.keys(v)) out[k] = clone(v[k]);
        return out;
      }
      seen.set(v, out);
      return out;
    };
    return clone(value);
  };

  // --- crypto.subtle: digest (SHA-1/2) and HMAC keys, sign and verify (ctx/web.rs) ---------------------
  // What plts has, for the errors that name what is missing.
  const SUBTLE_HAS = "digest (SHA-1, SHA-256, SHA-384, SHA-512) and HMAC (importKey, exportKey, generateKey, sign, verify)";
  const HASHES = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
  const hashName = (hash, what) => {
    const name = String(typeof hash === "string" ? hash : hash?.name).toUpperCase();
    if (!(name in HASHES)) throw new DOMException(`${what}: the hash ${JSON.stringify(hash?.name ?? hash)} is not supported; plts has ${Object.keys(HASHES).join(", ")}`, "NotSupportedError");
    return name;
  };
  const algorithmName = (algorithm, what) => {
    const name = typeof algorithm === "string" ? algorithm : algorithm?.name;
    if (typeof name !== "string") throw new TypeError(`${what}: the algorithm must be a name or an object with a name`);
    return name.toUpperCase();
  };
  const unsupported = (what, name) =>
    new DOMException(`${what}: the algorithm ${JSON.stringify(name)} is not supported; plts has ${SUBTLE_HAS}`, "NotSupportedError");
  const copyOf = (data, what) => {
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new Uint8Array(bytesOf(data));
    throw new TypeError(`${what}: expected an ArrayBuffer or a view of one`);
  };
  // The key bytes live here, out of reach of the key object, as in a browser.
  const secrets = new WeakMap();
  let makeKey;
  class CryptoKey {
    #type;
    #extractable;
    #algorithm;
    #usages;
    static {
      makeKey = (bytes, hash, extractable, usages) => {
        const key = new CryptoKey(makeKey);
        key.#type = "secret";
        key.#extractable = Boolean(extractable);
        key.#algorithm = Object.freeze({ name: "HMAC", length: bytes.length * 8, hash: Object.freeze({ name: hash }) });
        key.#usages = Object.freeze([...usages]);
        secrets.set(key, bytes);
        return key;
      };
    }
    constructor(token) {
      if (token !== makeKey) throw new TypeError("Illegal constructor: make keys with crypto.subtle.importKey or generateKey");
    }
    get type() {
      return this.#type;
    }
    get extractable() {
      return this.#extractable;
    }
    get algorithm() {
      return this.#algorithm;
    }
    get usages() {
      return this.#usages;
    }
    get [Symbol.toStringTag]() {
      return "CryptoKey";
    }
  }
  const hmacUsages = (usages, what) => {
    const list = [...usages];
    for (const usage of list) {
      if (usage !== "sign" && usage !== "verify") throw new DOMException(`${what}: an HMAC key is for "sign" and "verify", not ${JSON.stringify(usage)}`, "SyntaxError");
    }
    if (list.length === 0) throw new DOMException(`${what}: a secret key needs at least one usage ("sign", "verify")`, "SyntaxError");
    return [...new Set(list)];
  };
  const base64url = {
    encode: (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
    decode: (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
  };
  const keyFor = (key, algorithm, usage, what) => {
    if (!secrets.has(key)) throw new TypeError(`${what}: expected a CryptoKey`);
    const name = algorithmName(algorithm, what);
    if (name !== "HMAC") throw unsupported(what, name);
    if (key.algorithm.name !== "HMAC") throw new DOMException(`${what}: the key is for ${key.algorithm.name}, not HMAC`, "InvalidAccessError");
    if (!key.usages.includes(usage)) throw new DOMException(`${what}: the key's usages (${key.usages.join(", ")}) do not include "${usage}"`, "InvalidAccessError");
    return secrets.get(key);
  };
  // WebCrypto's methods return promises and reject (never throw) on bad input.
  const async = (body) => (...args) => {
    try {
      return Promise.resolve(body(...args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  crypto.subtle = Object.freeze({
    digest: async((algorithm, data) => {
      const name = algorithmName(algorithm, "crypto.subtle.digest");
      return native.digest(name, copyOf(data, "crypto.subtle.digest")).buffer;
    }),
    importKey: async((format, keyData, algorithm, extractable, usages) => {
      const what = "crypto.subtle.importKey";
      const name = algorithmName(algorithm, what);
      if (name !== "HMAC") throw unsupported(what, name);
      const hash = hashName(algorithm.hash, what);
      let bytes;
      if (format === "raw") bytes = copyOf(keyData, what);
      else if (format === "jwk") {
        if (keyData?.kty !== "oct" || typeof keyData.k !== "string") throw new DOMException(`${what}: an HMAC JWK has kty "oct" and a base64url "k"`, "DataError");
        bytes = base64url.decode(keyData.k);
      } else throw new DOMException(`${what}: the format ${JSON.stringify(format)} is not supported for HMAC; use "raw" or "jwk"`, "NotSupportedError");
      if (bytes.length === 0) throw new DOMException(`${what}: an HMAC key cannot be empty`, "DataError");
      return makeKey(bytes, hash, extractable, hmacUsages(usages, what));
    }),
    generateKey: async((algorithm, extractable, usages) => {
      const what = "crypto.subtle.generateKey";
      const name = algorithmName(algorithm, what);
      if (name !== "HMAC") throw unsupported(what, name);
      const hash = hashName(algorithm.hash, what);
      const bits = algorithm.length ?? HASHES[hash];
      if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) throw new DOMException(`${what}: length must be a positive multiple of 8, got ${bits}`, "OperationError");
      return makeKey(native.randomBytes(bits / 8), hash, extractable, hmacUsages(usages, what));
    }),
    exportKey: async((format, key) => {
      const what = "crypto.subtle.exportKey";
      if (!secrets.has(key)) throw new TypeError(`${what}: expected a CryptoKey`);
      if (!key.extractable) throw new DOMException(`${what}: the key is not extractable`, "InvalidAccessError");
      const bytes = secrets.get(key);
      if (format === "raw") return bytes.slice().buffer;
      if (format === "jwk") {
        return { kty: "oct", alg: `HS${key.algorithm.hash.name.slice(4)}`, k: base64url.encode(bytes), key_ops: [...key.usages], ext: key.extractable };
      }
      throw new DOMException(`${what}: the format ${JSON.stringify(format)} is not supported for HMAC; use "raw" or "jwk"`, "NotSupportedError");
    }),
    sign: async((algorithm, key, data) => {
      const what = "crypto.subtle.sign";
      const secret = keyFor(key, algorithm, "sign", what);
      return native.hmacSign(key.algorithm.hash.name, secret, copyOf(data, what)).buffer;
    }),
    verify: async((algorithm, key, signature, data) => {
      const what = "crypto.subtle.verify";
      const secret = keyFor(key, algorithm, "verify", what);
      return native.hmacVerify(key.algorithm.hash.name, secret, copyOf(data, what), copyOf(signature, what));
    }),
    // Ciphers, key derivation and wrapping are not there: each says so when called.
    ...Object.fromEntries(["encrypt", "decrypt", "deriveBits", "deriveKey", "wrapKey", "unwrapKey"].map((name) => [
      name,
      async(() => {
        throw new DOMException(`crypto.subtle.${name} is not supported in plts; it has ${SUBTLE_HAS}`, "NotSupportedError");
      }),
    ])),
  });

  // --- URLSearchParams: application/x-www-form-urlencoded (ctx/web.rs) -----------------------------------
  // URL keeps its searchParams in step through these (private to this file).
  let resetPairs, linkParams;
  class URLSearchParams {
    #pairs = [];
    #onChange = null;
    static {
      resetPairs = (params, search) => {
        params.#pairs = native.formParse(search);
      };
      linkParams = (params, onChange) => {
        params.#onChange = onChange;
        return params;
      };
    }
    constructor(init = "") {
      if (typeof init === "string") this.#pairs = native.formParse(init);
      else if (init instanceof URLSearchParams) this.#pairs = [...init].map(([k, v]) => [k, v]);
      else if (init !== null && typeof init === "object" && typeof init[Symbol.iterator] === "function") {
        for (const pair of init) {
          const [k, v, ...extra] = [...pair];
          if (v === undefined || extra.length) throw new TypeError("URLSearchParams: each pair must have two items");
          this.#pairs.push([String(k), String(v)]);
        }
      } else if (init !== null && typeof init === "object") {
        for (const k of Object.keys(init)) this.#pairs.push([k, String(init[k])]);
      } else this.#pairs = native.formParse(String(init));
    }
    #changed() {
      this.#onChange?.(this.toString());
    }
    get size() {
      return this.#pairs.length;
    }
    append(name, value) {
      this.#pairs.push([String(name), String(value)]);
      this.#changed();
    }
    delete(name, value) {
      this.#pairs = this.#pairs.filter(([k, v]) => k !== String(name) || (value !== undefined && v !== String(value)));
      this.#changed();
    }
    get(name) {
      return this.#pairs.find(([k]) => k === String(name))?.[1] ?? null;
    }
    getAll(name) {
      return this.#pairs.filter(([k]) => k === String(name)).map(([, v]) => v);
    }
    has(name, value) {
      return this.#pairs.some(([k, v]) => k === String(name) && (value === undefined || v === String(value)));
    }
    set(name, value) {
      const key = String(name);
      const at = this.#pairs.findIndex(([k]) => k === key);
      if (at < 0) this.#pairs.push([key, String(value)]);
      else this.#pairs = this.#pairs.filter(([k], i) => k !== key || i === at).map((p, i) => (i === at ? [key, String(value)] : p));
      this.#changed();
    }
    sort() {
      this.#pairs = this.#pairs.map((p, i) => [p, i]).sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j)).map(([p]) => p);
      this.#changed();
    }
    forEach(callback, thisArg) {
      for (const [k, v] of this.#pairs) callback.call(thisArg, v, k, this);
    }
    *keys() {
      for (const [k] of this.#pairs) yield k;
    }
    *values() {
      for (const [, v] of this.#pairs) yield v;
    }
    *entries() {
      for (const [k, v] of this.#pairs) yield [k, v];
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString() {
      return native.formSerialize(this.#pairs);
    }
  }

  // --- URL: the WHATWG URL API (the url crate) -------------------------------------------------------------
  class URL {
    #parts;
    #params = null;
    constructor(input, base) {
      this.#parts = base === undefined ? native.urlParse(String(input)) : native.urlParse(String(input), String(base));
    }
    static canParse(input, base) {
      try {
        new URL(input, base);
        return true;
      } catch {
        return false;
      }
    }
    static parse(input, base) {
      try {
        return new URL(input, base);
      } catch {
        return null;
      }
    }
    #set(part, value) {
      this.#parts = native.urlSet(this.#parts.href, part, String(value));
      if (this.#params) resetPairs(this.#params, this.#parts.search);
    }
    get origin() {
      return this.#parts.origin;
    }
    get href() {
      return this.#parts.href;
    }
    set href(value) {
      this.#set("href", value);
    }
    get protocol() {
      return this.#parts.protocol;
    }
    set protocol(value) {
      this.#set("protocol", value);
    }
    get username() {
      return this.#parts.username;
    }
    set username(value) {
      this.#set("username", value);
    }
    get password() {
      return this.#parts.password;
    }
    set password(value) {
      this.#set("password", value);
    }
    get host() {
      return this.#parts.host;
    }
    set host(value) {
      this.#set("host", value);
    }
    get hostname() {
      return this.#parts.hostname;
    }
    set hostname(value) {
      this.#set("hostname", value);
    }
    get port() {
      return this.#parts.port;
    }
    set port(value) {
      this.#set("port", value);
    }
    get pathname() {
      return this.#parts.pathname;
    }
    set pathname(value) {
      this.#set("pathname", value);
    }
    get search() {
      return this.#parts.search;
    }
    set search(value) {
      this.#set("search", value);
    }
    get hash() {
      return this.#parts.hash;
    }
    set hash(value) {
      this.#set("hash", value);
    }
    get searchParams() {
      this.#params ??= linkParams(new URLSearchParams(this.#parts.search), (query) => {
        this.#parts = native.urlSet(this.#parts.href, "search", query);
      });
      return this.#params;
    }
    toString() {
      return this.#parts.href;
    }
    toJSON() {
      return this.#parts.href;
    }
  }

  return { console, TextEncoder, TextDecoder, crypto, CryptoKey, DOMException, structuredClone, URL, URLSearchParams };
})
