/**
 * Proof on real npm packages. For each package, a module of handlers (`tests/fixtures/npm_packages/`,
 * importing the package by a pinned `npm:` specifier) becomes a project's private helper, its import
 * rewritten to the bare name and the `npm:` specifier put in the project's `deno.json` imports; the
 * project is deployed with the real CLI (`stopgap deploy` bundles the package into each function) and
 * each function is called with `stopgap call`. Each result is compared, as JSON (what a call returns),
 * with the same handler module run here in Deno on the same `npm:` specifier. Random values are
 * compared by their shape.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { sqlName } from "../compiler/naming.ts";
import { ok, tempProject } from "./_cli.ts";
import { type FreshDatabase, withDatabase } from "./harness.ts";
import * as dateFns from "./fixtures/npm_packages/date_fns.ts";
import * as dateFnsUtc from "./fixtures/npm_packages/date_fns_utc.ts";
import * as decimal from "./fixtures/npm_packages/decimal.ts";
import * as jose from "./fixtures/npm_packages/jose.ts";
import * as jsonPatch from "./fixtures/npm_packages/json_patch.ts";
import * as lodash from "./fixtures/npm_packages/lodash.ts";
import * as nanoid from "./fixtures/npm_packages/nanoid.ts";
import * as slugify from "./fixtures/npm_packages/slugify.ts";
import * as uuid from "./fixtures/npm_packages/uuid.ts";
import * as zod from "./fixtures/npm_packages/zod.ts";
// deno-lint-ignore no-import-prefix
import { validate as uuidValidate, version as uuidVersion } from "npm:uuid@14.0.3";

// deno-lint-ignore no-explicit-any
type Handlers = Record<string, (args: any) => unknown>;

/** The package's handlers deployed to environment `dev` of a fresh database. */
interface Deployed<H extends Handlers> {
  /** Calls handler `name` deployed in PostgreSQL (`stopgap call`) and returns its JSON result. */
  plts(name: keyof H & string, args?: unknown): Promise<unknown>;
  /** Runs handler `name` here in Deno and returns its result as JSON would carry it. */
  deno(name: keyof H & string, args?: unknown): Promise<unknown>;
}

/** The function module of a package's project: one query per handler of `./_handlers.ts`. */
function functionModule(handlers: Handlers): string {
  const exports = Object.keys(handlers).map((name) =>
    `export const ${name} = query(v.any(), (args) => (handlers.${name} as (args: never) => unknown)(args as never));`
  );
  return `import { query, v } from "@stopgap/runtime";\nimport * as handlers from "./_handlers.ts";\n\n${
    exports.join("\n")
  }\n`;
}

/**
 * The handler module as a project has it: each `"npm:<name>@<version>[/<path>]"` specifier becomes the
 * bare `"<name>[/<path>]"`, mapped to the same `npm:` specifier in the project's `deno.json` imports
 * (`<name>/` too when a path is imported).
 *
 * @returns the rewritten source and the import map entries
 */
function toBareSpecifiers(source: string): { text: string; imports: Record<string, string> } {
  const imports: Record<string, string> = {};
  const specifier = /"npm:((?:@[^/"@]+\/)?[^/"@]+)@(\d[^/"]*)(\/[^"]*)?"/g;
  const text = source.replace(specifier, (_, name: string, version: string, path?: string) => {
    imports[name] = `npm:${name}@${version}`;
    if (path) imports[`${name}/`] = `npm:/${name}@${version}/`;
    return JSON.stringify(`${name}${path ?? ""}`);
  });
  return { text, imports };
}

/**
 * Scaffolds a project (`stopgap init`) whose functions directory holds only `fixture` (as the private
 * helper `_handlers.ts`, its packages in `deno.json` imports as the drizzle-orm test of
 * `stopgap_cli_deploy_test.ts` adds them) and a module wrapping each of its handlers in a query,
 * deploys it to `dev` of a fresh database, and runs `fn` with a way to call each handler there and here.
 */
function withPackage<H extends Handlers>(
  label: string,
  fixture: string,
  handlers: H,
  fn: (pkg: Deployed<H>) => Promise<void>,
): Promise<void> {
  return withDatabase(`npm_${label}`, async (db: FreshDatabase) => {
    await db.sql`create extension stopgap cascade`;
    await using project = await tempProject();
    const { dir } = project;
    await ok(dir, "init");
    const functions = join(dir, "functions");
    await Deno.remove(functions, { recursive: true });
    await Deno.mkdir(functions);
    const source = await Deno.readTextFile(new URL(`./fixtures/npm_packages/${fixture}`, import.meta.url));
    const { text, imports } = toBareSpecifiers(source);
    await Deno.writeTextFile(join(functions, "_handlers.ts"), text);
    const configPath = join(dir, "deno.json");
    const config = JSON.parse(await Deno.readTextFile(configPath));
    Object.assign(config.imports, imports);
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));
    await Deno.writeTextFile(join(functions, "pkg.ts"), functionModule(handlers));
    await ok(dir, "deploy", "--env", "dev", "--db", db.url);
    await fn({
      async plts(name, args = {}) {
        const fnName = sqlName("pkg.ts", name);
        const json = JSON.stringify(args);
        const run = await ok(dir, "call", fnName, "--env", "dev", "--args", json, "--json", "--db", db.url);
        return JSON.parse(run.stdout);
      },
      async deno(name, args = {}) {
        const result = await handlers[name](args);
        return result === undefined ? null : JSON.parse(JSON.stringify(result));
      },
    });
  });
}

/** `assert.deepEqual`, with `what` put before the assertion's own message (which shows the difference). */
function same(actual: unknown, expected: unknown, what: string): void {
  try {
    assert.deepEqual(actual, expected);
  } catch (error) {
    if (error instanceof assert.AssertionError) error.message = `${what}\n${error.message}`;
    throw error;
  }
}

/** Calls handler `name` in plts and in Deno, fails unless the results are equal, and returns plts's. */
async function assertSame<H extends Handlers>(pkg: Deployed<H>, name: keyof H & string, args?: unknown) {
  const [inPlts, inDeno] = [await pkg.plts(name, args), await pkg.deno(name, args)];
  same(inPlts, inDeno, `${name}(${JSON.stringify(args ?? {})}): plts's result (actual) differs from Deno's (expected)`);
  return inPlts;
}

Deno.test("nanoid 6.0.2 in plts: ids of the right length and alphabet, random per call, seeded ids as in Deno", (t) =>
  withPackage("nanoid", "nanoid.ts", nanoid, async (pkg) => {
    const shape = (ids: unknown, alphabet: RegExp) => {
      const list = ids as string[];
      return {
        count: list.length,
        lengths: list.map((id) => id.length),
        inAlphabet: list.every((id) => alphabet.test(id)),
        distinct: new Set(list).size === list.length,
      };
    };

    await t.step("nanoid(): two ids of 21 URL-safe characters that differ", async () => {
      const urlSafe = /^[A-Za-z0-9_-]+$/;
      const inPlts = shape(await pkg.plts("secure"), urlSafe);
      same(
        inPlts,
        shape(await pkg.deno("secure"), urlSafe),
        "plts's nanoid() ids (actual) differ in shape from Deno's",
      );
      same(
        inPlts,
        { count: 2, lengths: [21, 21], inAlphabet: true, distinct: true },
        "the shape of plts's nanoid() ids",
      );
    });

    await t.step("customAlphabet: two ids of 12 hex digits that differ", async () => {
      const hex = /^[0-9a-f]+$/;
      const inPlts = shape(await pkg.plts("hex12"), hex);
      same(
        inPlts,
        shape(await pkg.deno("hex12"), hex),
        "plts's customAlphabet ids (actual) differ in shape from Deno's",
      );
      same(
        inPlts,
        { count: 2, lengths: [12, 12], inAlphabet: true, distinct: true },
        "the shape of plts's customAlphabet ids",
      );
    });

    await t.step("customRandom with a fixed byte source: the same ids as in Deno", async () => {
      await assertSame(pkg, "seeded");
    });
  }));

Deno.test("uuid 14.0.3 in plts: valid random v4, and v4/v7 from fixed bytes and v5/v3 of fixed names as in Deno", (t) =>
  withPackage("uuid", "uuid.ts", uuid, async (pkg) => {
    await t.step(
      "v4(): valid version-4 UUIDs by uuid's validate/version (in plts and in Deno), two differ",
      async () => {
        const shape = (result: unknown) => {
          const { ids, checked } = result as ReturnType<typeof uuid.random4>;
          return {
            checked,
            checkedInDeno: ids.map((id) => ({ valid: uuidValidate(id), version: uuidVersion(id) })),
            distinct: ids[0] !== ids[1],
          };
        };
        const inPlts = shape(await pkg.plts("random4"));
        same(inPlts, shape(await pkg.deno("random4")), "plts's v4 ids (actual) differ in shape from Deno's");
        const valid = { valid: true, version: 4 };
        same(inPlts, { checked: [valid, valid], checkedInDeno: [valid, valid], distinct: true }, "plts's v4 ids");
      },
    );

    await t.step("v4 and v7 from fixed random bytes and time: the same UUIDs as in Deno", async () => {
      await assertSame(pkg, "fixed");
    });

    await t.step("v5 (SHA-1) and v3 (MD5) of fixed namespaces and names: the same UUIDs as in Deno", async () => {
      const named = await assertSame(pkg, "named");
      assert.equal(
        (named as Record<string, string>).v5Dns,
        "cfbff0d1-9375-5685-968c-48ce8b15ae17",
        "v5 of example.com",
      );
    });
  }));

Deno.test("date-fns 4.4.0 in plts: format, addDays, differenceInDays and parseISO in UTC as in Deno", (t) =>
  withPackage("date_fns", "date_fns.ts", dateFns, async (pkg) => {
    await t.step("format with numeric, named, ordinal, quarter, ISO-week, timestamp and long patterns", async () => {
      await assertSame(pkg, "formatted");
    });
    await t.step("addDays across a leap day and year ends, forwards and backwards", async () => {
      await assertSame(pkg, "added");
    });
    await t.step("differenceInDays of pairs of dates", async () => {
      same(await assertSame(pkg, "differences"), [2, 366, 0, 0, -1627], "the day differences");
    });
    await t.step("parseISO of complete, offset, date-only, week, ordinal and invalid strings", async () => {
      await assertSame(pkg, "parsed");
    });
  }));

Deno.test("@date-fns/utc 2.1.1 in plts: date-fns in the utc context and UTCDate's own strings as in Deno", (t) =>
  withPackage("date_fns_utc", "date_fns_utc.ts", dateFnsUtc, async (pkg) => {
    await t.step(
      "parseISO, addDays and format in the utc context; UTCDate toString/toDateString/toTimeString",
      async () => {
        const strings = await assertSame(pkg, "formatted") as string[];
        same(strings[2], "Thu Feb 29 2024 08:05:09 GMT+0000 (Coordinated Universal Time)", "UTCDate's toString");
      },
    );
  }));

/** A valid order for the zod schema of `fixtures/npm_packages/zod.ts`. */
const ORDER = {
  id: "0b30557a-9fc4-490e-b358-7da2c7ec1136",
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  items: [{ sku: "ABC-1234", quantity: 2 }, { sku: "XYZ-0001", quantity: 1 }],
  note: "  Leave At The Door  ",
  placedAt: "2024-02-29T12:34:56Z",
  total: "12.34",
  tags: ["gift", "express", "gift"],
};

Deno.test("zod 4.6.7 in plts: a valid parse's output and an invalid parse's issues as in Deno", (t) =>
  withPackage("zod", "zod.ts", zod, async (pkg) => {
    await t.step("parse of a valid value: defaults, trim, coercion and transforms applied", async () => {
      const parsed = await assertSame(pkg, "parse", ORDER);
      same(parsed, {
        ...ORDER,
        status: "new",
        note: "leave at the door",
        total: 12.34,
        tags: ["express", "gift"],
      }, "the parsed order");
    });

    await t.step("safeParse of an invalid value: the same issues and prettified error as in Deno", async () => {
      const invalid = {
        ...ORDER,
        id: "not-a-uuid",
        customer: { name: "A", email: "nope" },
        items: [{ sku: "abc-1", quantity: 0 }, { sku: "ABC-1234", quantity: 1.5 }],
        status: "lost",
        total: "12.345",
        tags: ["a", "b", "c", "d"],
        unknownKey: true,
      };
      const result = await assertSame(pkg, "issues", invalid) as { success: boolean; issues: unknown[] };
      assert.equal(result.success, false);
      assert.equal(result.issues.length, 10, `issues: ${JSON.stringify(result.issues)}`);
    });

    await t.step("safeParse of a value of the wrong types entirely", async () => {
      await assertSame(pkg, "issues", { id: 7, customer: [], items: "x", placedAt: "yesterday", total: "abc" });
    });
  }));

Deno.test("lodash-es 4.18.1 in plts: groupBy, cloneDeep, merge, sortBy and template as in Deno", (t) =>
  withPackage("lodash", "lodash.ts", lodash, async (pkg) => {
    await t.step("groupBy by a key, a function and Math.floor", async () => {
      await assertSame(pkg, "grouped");
    });
    await t.step("cloneDeep keeps Date, Map, Set, RegExp and shared references, and is independent", async () => {
      const cloned = await assertSame(pkg, "cloned") as Record<string, unknown>;
      assert.equal(cloned.when, "2024-02-29T12:00:00.000Z");
      assert.equal(cloned.originalN, 1);
    });
    await t.step("merge of nested objects and arrays from several sources", async () => {
      await assertSame(pkg, "merged");
    });
    await t.step("sortBy with one and several iteratees", async () => {
      await assertSame(pkg, "sorted");
    });
    await t.step("template with interpolation, escaping and evaluate blocks (compiled with Function)", async () => {
      assert.equal(
        await assertSame(pkg, "templated"),
        "Hello Ada! <li>&lt;b&gt;fred&lt;/b&gt;</li><li>O&#39;Brien &amp; co</li> done",
      );
    });
  }));

Deno.test("decimal.js 10.6.0 in plts: arithmetic, 50-digit functions and rounding modes as in Deno", (t) =>
  withPackage("decimal", "decimal.ts", decimal, async (pkg) => {
    await t.step("exact arithmetic at the default precision", async () => {
      const results = await assertSame(pkg, "arithmetic") as string[];
      same(
        results.slice(0, 4),
        ["0.3", "0.1", "1.21", "0.33333333333333333333"],
        "0.1 + 0.2, 1 - 0.9, 1.1 * 1.1, 1 / 3",
      );
    });
    await t.step("division, roots, exp, ln, log10, pi and sin at 50 significant digits", async () => {
      await assertSame(pkg, "precise");
    });
    await t.step(
      "toFixed and toSignificantDigits under every rounding mode, toExponential, toHex, toFraction",
      async () => {
        await assertSame(pkg, "rounding");
      },
    );
  }));

Deno.test("fast-json-patch 3.1.2 in plts: applyPatch, its errors and compare as in Deno", (t) =>
  withPackage("json_patch", "json_patch.ts", jsonPatch, async (pkg) => {
    await t.step("applyPatch of add, remove, replace, move, copy and test, without mutating the input", async () => {
      await assertSame(pkg, "applied");
    });
    await t.step("a failing test operation, a missing path and an unknown op: the same errors", async () => {
      const failures = await assertSame(pkg, "failures") as { name: string }[];
      same(failures.map((f) => f.name), [
        "TEST_OPERATION_FAILED",
        "OPERATION_PATH_UNRESOLVABLE",
        "OPERATION_OP_INVALID",
      ], "the names of the patch errors");
    });
    await t.step("compare gives the same patch, and applying it gives the second document", async () => {
      const compared = await assertSame(pkg, "compared") as { roundTripEqual: boolean };
      assert.equal(compared.roundTripEqual, true);
    });
  }));

/** A shared secret, claims and issue time for the HS256 tokens. */
const JWT = {
  secret: "a shared secret of at least 32 bytes!",
  claims: { sub: "user-7", role: "admin", n: [1, 2] },
  iat: 1_700_000_000,
};

Deno.test("jose 6.2.18 in plts: HS256 tokens signed in plts verify in Deno and the other way, a wrong secret fails", (t) =>
  withPackage("jose", "jose.ts", jose, async (pkg) => {
    await t.step("a token signed in plts is the one Deno signs, and Deno verifies it", async () => {
      const token = await assertSame(pkg, "sign", JWT) as string;
      const verified = await pkg.deno("verify", { token, secret: JWT.secret });
      same(verified, {
        ok: true,
        payload: { ...JWT.claims, iat: JWT.iat, iss: "https://issuer.example" },
        protectedHeader: { alg: "HS256", typ: "JWT" },
      }, "Deno's verification of plts's token");
    });

    await t.step("a token signed in Deno verifies in plts", async () => {
      const token = await pkg.deno("sign", JWT);
      const verified = await assertSame(pkg, "verify", { token, secret: JWT.secret }) as { ok: boolean };
      assert.equal(verified.ok, true, `plts's verification: ${JSON.stringify(verified)}`);
    });

    await t.step("a wrong secret fails in plts with jose's JWSSignatureVerificationFailed", async () => {
      const token = await pkg.deno("sign", JWT);
      const verified = await assertSame(pkg, "verify", { token, secret: "another secret" });
      same(verified, {
        ok: false,
        name: "JWSSignatureVerificationFailed",
        constructor: "JWSSignatureVerificationFailed",
        code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        message: "signature verification failed",
      }, "plts's verification with a wrong secret");
    });
  }));

Deno.test("slugify 1.6.9 in plts: ASCII and Unicode strings, strict, locales and remove as in Deno", (t) =>
  withPackage("slugify", "slugify.ts", slugify, async (pkg) => {
    await t.step("default options", async () => {
      const slugs = await assertSame(pkg, "defaults") as string[];
      assert.equal(slugs[2], "Creme-brulee-a-la-mode");
    });
    await t.step("lower, strict and replacement _", async () => {
      await assertSame(pkg, "strict");
    });
    await t.step("the de and vi locales, and a remove pattern", async () => {
      await assertSame(pkg, "localized");
    });
  }));
