/**
 * Checks inside a deploy's transaction: the exported functions of a check module run after the new
 * live functions are in place and before `COMMIT`, each in a savepoint that is rolled back. A check
 * that throws fails the deploy, whose transaction then rolls back: the previous deployment keeps
 * serving.
 *
 * Two steps, so that the slow one does not hold the environment lock: {@linkcode loadChecks}
 * type-checks and bundles the module with the project's `deno.json` and imports it (about a second,
 * before the transaction starts); {@linkcode runChecks} runs its checks in a transaction that has
 * just deployed. `deploy({ check })` uses both, and so can any command that deploys.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type postgres from "postgres";
import { configArgs, runDeno } from "../compiler/_deno.ts";
import { type Diagnostic, formatDiagnostic, parseDenoDiagnostics } from "../compiler/diagnostics.ts";
import { displayPath, findDenoConfig } from "../compiler/project.ts";
import { portableSource } from "../compiler/sourcemap.ts";
import { StopgapError } from "./errors.ts";

/**
 * A postgres.js transaction, as `sql.begin(async (tx) => ...)` and `tx.savepoint(...)` hand it over:
 * what {@linkcode runChecks} runs in and what a check gets as {@linkcode CheckContext.sql}.
 */
export type TransactionSql = postgres.TransactionSql;

/** What each check receives. */
export interface CheckContext {
  /** The environment being deployed. */
  readonly env: string;
  /**
   * Calls live function `name` of the new deployment (`stopgap.call_fn(env, name, args)` in the
   * deploy's transaction) and returns its result, parsed from jsonb. Each call runs in a savepoint
   * of its own: a call that fails rejects with the server's error (a postgres.js `PostgresError`)
   * and leaves the check's transaction usable, so a check may expect an error and go on. Calls of
   * one check run one after the other, even when not awaited one by one.
   *
   * @param name the SQL name of the function
   * @param args its arguments (default `{}`)
   */
  call<T = unknown>(name: string, args?: unknown): Promise<T>;
  /**
   * The deploy's transaction, inside the check's savepoint: for reading and writing data around
   * the calls. Everything a check writes is rolled back when it ends. A statement that fails
   * fails the check, even when the check catches its error (postgres.js fails the scope, as
   * PostgreSQL aborts the savepoint), unless it runs in `sql.savepoint(...)`. Never end the
   * transaction (`commit`, `rollback`): that would commit or end the deploy itself.
   */
  readonly sql: TransactionSql;
}

/** A check: an exported function of a check module; it fails by throwing (or rejecting). */
export type Check = (context: CheckContext) => unknown;

/** How one check went. */
export interface CheckResult {
  /** The export's name (`default` for a default export). */
  name: string;
  /** `passed`, or `failed` because it threw. */
  status: "passed" | "failed";
  /** How long it took, in whole milliseconds (its savepoint included). */
  ms: number;
  /**
   * What it threw: `<name>: <message>` with its stack, the frames inside the project named by
   * their path (`checks/deploy.ts:12:5`); for a server error, `<message> (SQLSTATE <code>)` and
   * its DETAIL. `null` when it passed.
   */
  error: string | null;
}

/** A check module, loaded by {@linkcode loadChecks}. */
export interface CheckModule {
  /** The project root: messages and stacks name files relative to it. */
  root: string;
  /** The module's path relative to the project root (absolute when outside it), for messages. */
  file: string;
  /** Its checks, in the order they run: by name (code-unit order, as a module namespace lists them). */
  checks: { name: string; run: Check }[];
}

/**
 * Why checks could not be loaded or did not pass. `code`: `no_check_module` (the file does not
 * exist), `check_load_failed` (type errors, unresolved imports, a throw at top level: see
 * `diagnostics` and `cause`), `no_checks` (the module exports no function), `check_failed` (see
 * `checks`).
 *
 * @example Telling a failed check apart
 * ```ts ignore
 * import { CheckError, deploy } from "../mod.ts";
 *
 * try {
 *   await deploy({ sql, env: "prod", check: "checks/deploy.ts" });
 * } catch (error) {
 *   if (!(error instanceof CheckError) || error.code !== "check_failed") throw error;
 *   for (const check of error.checks) console.log(check.name, check.status, check.error);
 * }
 * ```
 */
export class CheckError extends StopgapError {
  /** Always `CheckError`. */
  override name = "CheckError";
  /** For `check_failed`: every check that ran, passed or failed, in order. */
  readonly checks: CheckResult[];
  /** For `check_load_failed`: type errors and other errors of Deno, with their positions. */
  readonly diagnostics: Diagnostic[];

  /**
   * Creates the error.
   *
   * @param code one of the codes listed for {@linkcode CheckError}
   * @param message what failed
   * @param options the checks or diagnostics behind it, a hint and the underlying error
   */
  constructor(
    code: string,
    message: string,
    options: { checks?: CheckResult[]; diagnostics?: Diagnostic[]; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.checks = options.checks ?? [];
    this.diagnostics = options.diagnostics ?? [];
  }
}

const WHAT_TO_EXPORT = "A check module exports one function per check, e.g. " +
  '`export async function greets({ call }: CheckContext) { ... }`; other exports are ignored (docs/CLI.md, "Checks")';

/**
 * Type-checks and bundles a check module with the `deno.json` nearest to it (as `deno check` would
 * find it), imports the bundle, and lists its checks: every exported function except classes, by
 * name. The module runs in this process, with its permissions.
 *
 * @param path the module, relative to the current directory or absolute
 * @param options `root`: the project root, for the paths in messages (default: the current directory)
 * @returns the module's checks
 * @throws {CheckError} `no_check_module`, `check_load_failed` or `no_checks`
 *
 * @example Loading the checks of a project
 * ```ts ignore
 * import { loadChecks } from "./checks.ts";
 *
 * const module = await loadChecks("checks/deploy.ts");
 * console.log(module.checks.map((check) => check.name));
 * ```
 */
export async function loadChecks(path: string, options: { root?: string } = {}): Promise<CheckModule> {
  const root = resolve(options.root ?? Deno.cwd());
  const absolute = resolve(path);
  const file = displayPath({ root }, absolute);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(absolute);
  } catch (cause) {
    if (!(cause instanceof Deno.errors.NotFound)) throw cause;
    throw new CheckError("no_check_module", `The check module "${file}" does not exist`, {
      cause,
      hint: `Pass the path of a TypeScript file to --check. ${WHAT_TO_EXPORT}`,
    });
  }
  if (!info.isFile) {
    throw new CheckError("no_check_module", `The check module "${file}" is not a file`, {
      hint: `Pass the path of a TypeScript file to --check. ${WHAT_TO_EXPORT}`,
    });
  }
  // Its real path: esbuild names the files it bundles by theirs, and the source map is relative to it.
  const build = await Deno.realPath(await Deno.makeTempDir({ prefix: "stopgap-checks-" }));
  let namespace: Record<string, unknown>;
  try {
    // One file with the project's imports resolved by its own deno.json: this process's import
    // map is the CLI's, which knows neither the project's packages nor its other mappings. The
    // inline source map makes Deno name the check's own files in stacks.
    const out = join(build, "checks.js");
    const run = await runDeno(
      [
        "bundle",
        "--check",
        ...configArgs(await findDenoConfig(dirname(absolute))),
        "--platform",
        "deno",
        "--format",
        "esm",
        "--sourcemap=inline",
        "--output",
        out,
        absolute,
      ],
      root,
    );
    if (run.code !== 0) {
      const diagnostics = parseDenoDiagnostics(run.stderr, (p) => displayPath({ root }, p));
      throw new CheckError(
        "check_load_failed",
        `Loading the check module "${file}" failed:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`,
        { diagnostics, hint: "Fix the errors above (deno check shows the same type errors)" },
      );
    }
    try {
      namespace = await import(pathToFileURL(out).href);
    } catch (error) {
      // Not passed as the cause: the message has its stack already.
      throw new CheckError(
        "check_load_failed",
        `Importing the check module "${file}" failed: ${describe(error, root)}`,
        {
          hint: "Its top-level code threw: a check module's work belongs in its exported functions",
        },
      );
    }
  } finally {
    await Deno.remove(build, { recursive: true });
  }
  const checks = Object.keys(namespace).sort().flatMap((name) => {
    const value = namespace[name];
    return typeof value === "function" && !isClass(value) ? [{ name, run: value as Check }] : [];
  });
  if (checks.length === 0) {
    throw new CheckError("no_checks", `The check module "${file}" exports no function`, { hint: WHAT_TO_EXPORT });
  }
  return { root, file, checks };
}

/**
 * Runs every check of `module` in transaction `tx`, which has just deployed `env`, one after the
 * other by name; each one in a savepoint that is rolled back when it ends, so that no check sees
 * another's writes and none persist. All of them run, even after one has failed.
 *
 * @param tx the deploy's transaction, after the new live functions are in place
 * @param env the environment deployed
 * @param module the checks, from {@linkcode loadChecks}
 * @param options `hint`: what the error says when a check fails (default: that nothing changed)
 * @returns the checks, all `passed`
 * @throws {CheckError} `check_failed` when any check threw, with every result in `checks`
 *
 * @example Running the checks of a transaction that deploys
 * ```ts ignore
 * import { loadChecks, runChecks } from "./checks.ts";
 *
 * const module = await loadChecks("checks/deploy.ts");
 * await sql.begin(async (tx) => {
 *   await tx`select stopgap.deploy('prod', 'app', 'v2')`;
 *   console.log(await runChecks(tx, "prod", module));
 * });
 * ```
 */
export async function runChecks(
  tx: TransactionSql,
  env: string,
  module: CheckModule,
  options: { hint?: string } = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of module.checks) {
    const started = performance.now();
    let failure: { error: unknown } | undefined;
    // postgres.js fails a transaction scope with the first error of any of its statements, even
    // one the code caught, so a check runs in a scope of its own (tx.savepoint): a failed
    // statement fails the check, not the deploy. postgres.js does not release that scope's
    // savepoint; rolling back to and releasing the named one around it ends it (and the calls'
    // savepoints inside), so the check's writes go and checks do not nest one in another.
    await tx.unsafe("savepoint stopgap_check");
    try {
      await tx.savepoint(async (sp) => {
        // Called as a plain function, so that its stack frame is `at <name> (...)`.
        await Reflect.apply(check.run, undefined, [checkContext(sp, env)]);
      });
    } catch (error) {
      failure = { error };
    }
    await tx.unsafe("rollback to savepoint stopgap_check");
    await tx.unsafe("release savepoint stopgap_check");
    results.push({
      name: check.name,
      status: failure ? "failed" : "passed",
      ms: Math.round(performance.now() - started),
      error: failure ? describe(failure.error, module.root) : null,
    });
  }
  const failed = results.filter((result) => result.status === "failed");
  if (failed.length === 0) return results;
  const message = failed.length === 1
    ? `Check "${failed[0].name}" of ${module.file} failed: ${failed[0].error}`
    : `${failed.length} of ${results.length} checks of ${module.file} failed:\n` +
      failed.map((result) => `  check "${result.name}": ${indent(result.error!, "  ")}`).join("\n");
  throw new CheckError("check_failed", message, {
    checks: results,
    hint: options.hint ?? "The checks ran in a transaction that was rolled back: nothing changed",
  });
}

/**
 * The context of one check, in its savepoint scope `sp`: its calls go one after the other, each in
 * a scope of its own (so that a failed call does not fail the check's scope), inside a named
 * savepoint that is released afterwards (keeping a call's writes, and ending the scope's savepoint).
 */
function checkContext(sp: TransactionSql, env: string): CheckContext {
  let queue: Promise<unknown> = Promise.resolve();
  const callInSavepoint = async (name: string, args: unknown) => {
    await sp.unsafe("savepoint stopgap_check_call");
    try {
      return await sp.savepoint(async (call) => {
        const json = call.json((args === undefined ? {} : args) as postgres.JSONValue);
        const [row] = await call`select stopgap.call_fn(${env}, ${name}, ${json}) as result`;
        return row.result;
      });
    } finally {
      await sp.unsafe("release savepoint stopgap_check_call");
    }
  };
  return {
    env,
    sql: sp,
    call<T>(name: string, args?: unknown): Promise<T> {
      const result = queue.then(() => callInSavepoint(name, args));
      queue = result.catch(() => {});
      return result as Promise<T>;
    },
  };
}

/** Whether `value` is a class: calling one without `new` throws, so it is not a check. */
function isClass(value: unknown): boolean {
  return /^class\b/.test(Function.prototype.toString.call(value));
}

/** The fields of a postgres.js `PostgresError` that say what failed. */
interface ServerError {
  code?: string;
  detail?: string;
}

/**
 * What a check threw, for people: a server error's message, SQLSTATE and DETAIL (a function's
 * stack is there, mapped to its TypeScript); another error's `name: message` and the frames of its
 * stack above this module's, each file named by its path in the project (or its npm package).
 */
function describe(error: unknown, root: string): string {
  if (!(error instanceof Error)) return Deno.inspect(error);
  if (error.name === "PostgresError") {
    const server = error as ServerError;
    const detail = server.detail ? `\n    detail: ${indent(server.detail, " ".repeat(12))}` : "";
    return `${error.message}${server.code ? ` (SQLSTATE ${server.code})` : ""}${detail}`;
  }
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ?? "";
  const frames: string[] = [];
  for (const line of stack.split("\n")) {
    if (!/^\s+at /.test(line)) continue;
    if (line.includes(import.meta.url)) break;
    if (/\((?:ext|node):|at (?:ext|node):/.test(line)) continue;
    frames.push(
      `    ${line.trim().replace(/file:\/\/[^\s)]+/g, (url) => location(url, root))}`,
    );
  }
  return frames.length === 0 ? head : `${head}\n${frames.join("\n")}`;
}

/** `file:///srv/app/checks/a.ts:3:9` as `checks/a.ts:3:9`, an npm file as `npm:<name>@<version>/...`. */
function location(url: string, root: string): string {
  const position = /(:\d+:\d+)$/.exec(url)?.[1] ?? "";
  const file = url.slice(0, url.length - position.length);
  let named: string;
  try {
    named = portableSource(file, root);
    if (named.startsWith("..")) named = fileURLToPath(file);
  } catch {
    return url;
  }
  return named + position;
}

/** The lines of `text` after its first, indented by `prefix`. */
function indent(text: string, prefix: string): string {
  return text.split("\n").join(`\n${prefix}`);
}
