// Builds ctx.db and ctx.log of one JS context from the engine's native functions (ctx/mod.rs lists
// them), and the prototype of every ctx. Evaluated once per context; the returned objects are shared
// by every call.
(function (native) {
  "use strict";
  // Statement forms: (sql, params?), ({ sql, params }), or any object with toSQL() (Drizzle).
  function statement(what, first, params) {
    let sql = first;
    let values = params;
    if (first !== null && typeof first === "object") {
      const built = typeof first.toSQL === "function" ? first.toSQL() : first;
      sql = built.sql;
      values = built.params;
    }
    if (typeof sql !== "string") {
      throw new TypeError(
        `ctx.db.${what}: expected SQL text, { sql, params } or an object with toSQL(), got ${
          first === null ? "null" : typeof first
        }`,
      );
    }
    if (values === undefined || values === null) values = [];
    if (!Array.isArray(values)) {
      throw new TypeError(`ctx.db.${what}: params must be an array, got ${typeof values}`);
    }
    return [sql, values];
  }
  const db = {
    // (sql, [params]) skips statement(): its array result costs an iterator in QuickJS.
    query(first, params) {
      if (typeof first === "string" && Array.isArray(params)) return native.run(first, params, true);
      const [sql, values] = statement("query", first, params);
      return native.run(sql, values, true);
    },
    exec(first, params) {
      if (typeof first === "string" && Array.isArray(params)) return native.run(first, params, false);
      const [sql, values] = statement("exec", first, params);
      return native.run(sql, values, false);
    },
    // A procedure's COMMIT and ROLLBACK: the handler goes on in a new transaction.
    commit() {
      native.endTransaction(true);
    },
    rollback() {
      native.endTransaction(false);
    },
    transaction(fn) {
      if (typeof fn !== "function") throw new TypeError("ctx.db.transaction: expected a function");
      const level = native.begin();
      let result;
      try {
        result = fn(db);
      } catch (error) {
        native.end(level, false);
        throw error;
      }
      if (result !== null && typeof result === "object" && typeof result.then === "function") {
        return result.then(
          (value) => (native.end(level, true), value),
          (error) => {
            native.end(level, false);
            throw error;
          },
        );
      }
      native.end(level, true);
      return result;
    },
  };
  // Rows in batches through a server-side cursor: memory stays bounded by the batch size.
  db.cursor = function* cursor(first, params, options) {
    const [sql, values] = statement("cursor", first, params);
    const batch = options?.batchSize ?? 1000;
    if (!Number.isInteger(batch) || batch < 1) throw new TypeError("ctx.db.cursor: batchSize must be a positive integer");
    const name = native.open(sql, values);
    try {
      for (;;) {
        const rows = native.fetch(name, batch);
        if (rows.length === 0) return;
        yield* rows;
        if (rows.length < batch) return;
      }
    } finally {
      native.close(name);
    }
  };
  const show = (args) => args.map((a) => typeof a === "string" ? a : JSON.stringify(a) ?? String(a)).join(" ");
  const log = {
    debug: (...args) => native.log(0, show(args)),
    info: (...args) => native.log(1, show(args)),
    notice: (...args) => native.log(2, show(args)),
    warn: (...args) => native.log(3, show(args)),
  };
  // A WINDOW function's view of its partition (ctx/window.rs): positions are 0-based; an argument
  // read outside the partition or frame is undefined.
  const seekOf = (seek) => {
    const types = { current: 0, head: 1, tail: 2 };
    if (!(seek in types)) throw new TypeError(`ctx.window: seek must be "current", "head" or "tail", got ${String(seek)}`);
    return types[seek];
  };
  let partitions; // made at the first use, so contexts that never use it do not carry it
  const window = {
    position: () => native.winPosition(),
    partitionRowCount: () => native.winRowCount(),
    setMarkPosition: (position) => native.winSetMark(position),
    rowsArePeers: (a, b) => native.winPeers(a, b),
    argCurrent: (argno) => native.winArg(0, argno, 0, 0, false),
    argInPartition: (argno, relpos = 0, seek = "current", setMark = false) =>
      native.winArg(1, argno, relpos, seekOf(seek), setMark),
    argInFrame: (argno, relpos = 0, seek = "current", setMark = false) =>
      native.winArg(2, argno, relpos, seekOf(seek), setMark),
    // An object kept for the rows of the current partition (the most recent 64 partitions).
    get partition() {
      const id = native.winPartition();
      partitions ??= new Map();
      let store = partitions.get(id);
      if (store === undefined) {
        store = {};
        partitions.set(id, store);
        if (partitions.size > 64) partitions.delete(partitions.keys().next().value);
      }
      return store;
    },
  };
  // Other plts functions as JS functions, called through fmgr without SQL (ctx/functions.rs).
  const functions = {
    get(signature) {
      if (typeof signature !== "string") {
        throw new TypeError(
          `ctx.functions.get: expected a function signature such as "public.add(int, int)", got ${
            signature === null ? "null" : typeof signature
          }`,
        );
      }
      const oid = native.fnResolve(signature);
      const call = (...args) => native.fnCall(oid, args);
      Object.defineProperty(call, "name", { value: signature });
      return call;
    },
  };
  Object.freeze(functions);
  Object.freeze(db);
  Object.freeze(log);
  Object.freeze(window);
  // The web-platform APIs without I/O (web.js): getters on globalThis until first used, then values,
  // writable and configurable as in Deno, so a context that never uses them does not build them.
  const webNames = ["console", "TextEncoder", "TextDecoder", "crypto", "CryptoKey", "DOMException", "structuredClone", "URL", "URLSearchParams"];
  let web;
  const installWeb = () => {
    web ??= native.web(native);
    for (const name of webNames) {
      Object.defineProperty(globalThis, name, { value: web[name], writable: true, configurable: true, enumerable: false });
    }
    return web;
  };
  for (const name of webNames) {
    Object.defineProperty(globalThis, name, {
      get: () => installWeb()[name],
      set: (value) => {
        installWeb();
        globalThis[name] = value;
      },
      configurable: true,
      enumerable: false,
    });
  }
  // Intl (intl.js) is built at its first use too. QuickJS's own toLocaleString methods ignore
  // locales and options; these take Intl's en-US formats, as Deno's do.
  let intl;
  const installIntl = () => (intl ??= native.intl(native));
  Object.defineProperty(globalThis, "Intl", {
    get() {
      const value = installIntl().Intl;
      Object.defineProperty(globalThis, "Intl", { value, writable: true, configurable: true, enumerable: false });
      return value;
    },
    set(value) {
      Object.defineProperty(globalThis, "Intl", { value, writable: true, configurable: true, enumerable: false });
    },
    configurable: true,
    enumerable: false,
  });
  const localeMethods = [
    [Number.prototype, "toLocaleString", function (locales, options) {
      return installIntl().toLocale.number(Number.prototype.valueOf.call(this), locales, options);
    }],
    [BigInt.prototype, "toLocaleString", function (locales, options) {
      return installIntl().toLocale.number(BigInt.prototype.valueOf.call(this), locales, options);
    }],
    [Date.prototype, "toLocaleString", function (locales, options) {
      return installIntl().toLocale.date(this, "all", locales, options, Date.prototype.getTime.call(this));
    }],
    [Date.prototype, "toLocaleDateString", function (locales, options) {
      return installIntl().toLocale.date(this, "date", locales, options, Date.prototype.getTime.call(this));
    }],
    [Date.prototype, "toLocaleTimeString", function (locales, options) {
      return installIntl().toLocale.date(this, "time", locales, options, Date.prototype.getTime.call(this));
    }],
    [String.prototype, "localeCompare", function (that, locales, options) {
      if (this == null) throw new TypeError("String.prototype.localeCompare called on null or undefined");
      return installIntl().toLocale.compare(String(this), String(that), locales, options);
    }],
  ];
  for (const [prototype, name, method] of localeMethods) {
    Object.defineProperty(method, "name", { value: name });
    Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true, enumerable: false });
  }
  // The ctx of one call is `{ args }` on a per-program prototype (fn) on this shared one
  // (`engine/invoker.rs`): db and log live here; now is a Date of the transaction start, made
  // when read (a new Date each read, so no call can change another's).
  const context = Object.defineProperties({}, {
    db: { value: db, enumerable: true },
    log: { value: log, enumerable: true },
    functions: { value: functions, enumerable: true },
    window: { value: window },
    now: {
      get() {
        return new Date(native.now());
      },
      enumerable: true,
    },
  });
  // QuickJS frees an object shape with the last object using it; an empty object kept here saves
  // rebuilding the empty shape for every object literal of every call.
  return { context, empty: {} };
})
