/**
 * `dev`: watch a project's functions and deploy them to an environment after each save, with
 * {@linkcode deploy}, until stopped.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, sep } from "node:path";
import type { Sql } from "../runtime/local.ts";
import { isFunctionModule, loadProject, type Project, sourceFiles } from "../compiler/mod.ts";
import { deploy, type DeployPhase, type DeployResult } from "./deploy.ts";
import { checkEnvName, StopgapError } from "./errors.ts";

/**
 * How long no file may change before a cycle starts, in milliseconds: an editor's save (a write, or
 * a temporary file renamed over the original) and a formatter run after it, or a `git checkout`,
 * arrive as bursts of events a few milliseconds apart.
 */
export const DEFAULT_DEBOUNCE_MS = 200;

/** Options of {@linkcode dev}. */
export interface DevOptions {
  /** A postgres.js client; each deploy runs in one transaction on it. */
  sql: Sql;
  /** The environment deployed to, e.g. `dev`. Created by the first deploy. */
  env: string;
  /** The project root (default: the current directory). */
  root?: string;
  /** The functions directory; overrides the project's configuration. Read once, when `dev` starts. */
  dir?: string;
  /** Ends the watch: a running cycle is rolled back at its next phase, or finishes its commit. */
  signal?: AbortSignal;
  /** Watch a protected environment too, and deploy over drift (see `protect` and `drift`). */
  force?: boolean;
  /** Milliseconds without a change before a cycle starts (default {@linkcode DEFAULT_DEBOUNCE_MS}). */
  debounceMs?: number;
  /** Called once the functions directory is watched, before the first deploy, with it relative to the root. */
  onWatching?: (functionsDir: string) => void;
  /** Called when a phase of a cycle's deploy starts, with the phase and its detail, as `deploy`'s `onPhase`. */
  onPhase?: (phase: DeployPhase, detail: string) => void;
  /** Called after each cycle, deployed or failed. */
  onCycle?: (cycle: DevCycle) => void;
}

/** The steps of a cycle, in order: the quiet wait after the last change, then the deploy's phases. */
export type DevPhase = "debounce" | DeployPhase;

/** One deploy of {@linkcode dev}: what started it, what it did or why it failed, and how long each part took. */
export interface DevCycle {
  /** 1 for the deploy when `dev` starts, then one more per cycle. */
  cycle: number;
  /** The project files whose changes started it, relative to the root, sorted; empty for the first cycle. */
  files: string[];
  /** `deployed`, `unchanged` (identical to the active deployment: nothing written) or `failed`. */
  status: "deployed" | "unchanged" | "failed";
  /** When the last of those changes was seen (the save), ISO 8601; when the cycle started for the first one. */
  savedAt: string;
  /** Milliseconds from `savedAt` until the deploy committed (the functions are callable) or failed. */
  ms: number;
  /** Milliseconds per step, in the order they ran; a failed cycle has the steps up to the failing one. */
  phases: Partial<Record<DevPhase, number>>;
  /** The deploy's result; `null` when it failed. */
  result: DeployResult | null;
  /** Why it failed (a `CompileError`, a postgres.js `PostgresError`, ...); `null` when it did not. */
  error: unknown;
}

/**
 * Deploys the project's functions to `env`, then again after every change of the project's files,
 * until `signal` aborts: the function modules, the files they import inside the project (helpers in
 * `_lib/`, `../shared/x.ts`; found with `deno info`, also type-only imports) and the project's
 * `deno.json`, `deno.jsonc` and `stopgap.json`. Other files (tests, editors' temporary and backup
 * files, `deno.lock`) start nothing.
 *
 * Each cycle is one {@linkcode deploy} with the label `dev-<ISO time>`: type check, inspect, bundle
 * and one transaction, so a failure (a type error, a bundle error, a server error) leaves the
 * previous deployment serving, is reported by `onCycle`, and the watch goes on. A cycle starts
 * {@linkcode DevOptions.debounceMs} after the last change of a burst, and never while another one
 * runs: a change during a cycle starts the next one after it. A change while the files are still
 * being read (before the deploy's `stage` phase) stops the cycle there, before anything is written,
 * and the next one starts over with every file: what is deployed was type-checked and bundled from
 * one state of the files.
 *
 * @param options the client, environment, project and callbacks
 * @returns when `signal` aborts, after the running cycle was rolled back or committed and the
 *   watchers are closed; the caller closes `sql`
 * @throws {StopgapError} `protected_environment` when `env` is protected and `force` is not set
 * @throws {StopgapError} `invalid_env` for an invalid environment name
 * @throws {CompileError} `no_functions_dir` when the functions directory does not exist (there is nothing to watch)
 *
 * @example Deploying on each save until Ctrl-C
 * ```ts ignore
 * import postgres from "postgres";
 * import { dev } from "../mod.ts";
 *
 * const sql = postgres(Deno.env.get("DATABASE_URL")!, { max: 1 });
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGINT", () => stop.abort());
 * await dev({
 *   sql,
 *   env: "dev",
 *   signal: stop.signal,
 *   onCycle: (c) => console.log(c.cycle, c.status, c.files, `${c.ms} ms`),
 * });
 * await sql.end();
 * ```
 */
export async function dev(options: DevOptions): Promise<void> {
  const { env, signal } = options;
  checkEnvName(env);
  const project = await loadProject({ root: options.root, dir: options.dir });
  const changes = new Changes(options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  const watch = await ProjectWatch.start(project, changes);
  try {
    await refuseProtected(options);
    options.onWatching?.(watch.display(watch.functionsDir));
    let batch: Batch | undefined = changes.initial();
    let count = 0;
    while (batch !== undefined && !signal?.aborted) {
      if (count > 0) watch.refresh();
      const cycle = await runCycle(options, project, batch, changes);
      if (cycle !== undefined) options.onCycle?.({ cycle: ++count, ...cycle });
      batch = await changes.next(signal);
    }
  } finally {
    changes.close();
    await watch.close();
  }
}

/**
 * Refuses a protected environment (production) unless `force`: before anything is deployed, after
 * the functions directory is found (a missing one is reported first, without a connection).
 */
async function refuseProtected(options: DevOptions): Promise<void> {
  if (options.force) return;
  const [row] = await options.sql`select protected from stopgap.environment where env = ${options.env}`;
  if (row?.protected === true) {
    throw new StopgapError(
      "protected_environment",
      `environment "${options.env}" is protected: stopgap dev does not deploy to it`,
      { hint: `Watch a development environment instead, or pass --force to watch "${options.env}" anyway` },
    );
  }
}

/** Thrown from `onPhase` to end a cycle early; never leaves {@linkcode dev}. */
class Interrupted extends Error {
  constructor(readonly why: "stopped" | "superseded") {
    super(`the cycle was ${why}`);
  }
}

/**
 * The phases at whose start the files may still be read by the next one. A change seen by then
 * supersedes the cycle: the bundles would not be of one state of the files. From `diff` on, the
 * bundles are in the staging schema and the cycle goes on.
 */
const READING: ReadonlySet<DeployPhase> = new Set(["find", "check", "inspect", "bundle", "stage"]);

/** Runs one deploy; `undefined` when it was interrupted (and its files are pending again). */
async function runCycle(
  options: DevOptions,
  project: Project,
  batch: Batch,
  changes: Changes,
): Promise<Omit<DevCycle, "cycle"> | undefined> {
  const start = performance.now();
  const marks: [DevPhase, number][] = [["debounce", batch.at]];
  const phases = (end: number) =>
    Object.fromEntries(marks.map(([phase, at], i) => [phase, Math.round((marks[i + 1]?.[1] ?? end) - at)]));
  const report = { files: batch.files, savedAt: new Date(Date.now() - (start - batch.at)).toISOString() };
  marks.push(["find", start]);
  try {
    const result = await deploy({
      sql: options.sql,
      env: options.env,
      root: project.root,
      // The directory resolved at start, the one watched (a later stopgap.json edit needs a restart).
      dir: project.functionsDir,
      label: `dev-${new Date().toISOString()}`,
      force: options.force,
      onPhase: (phase, detail) => {
        if (options.signal?.aborted) throw new Interrupted("stopped");
        if (READING.has(phase) && changes.changedSince(start)) throw new Interrupted("superseded");
        if (phase !== "find") marks.push([phase, performance.now()]);
        options.onPhase?.(phase, detail);
      },
    });
    const end = performance.now();
    return {
      ...report,
      status: result.status === "unchanged" ? "unchanged" : "deployed",
      ms: Math.round(end - batch.at),
      phases: phases(end),
      result,
      error: null,
    };
  } catch (error) {
    if (error instanceof Interrupted) {
      changes.restore(batch.files);
      return undefined;
    }
    // Stopped meanwhile: Ctrl-C in a terminal also reaches the deno check or bundle running, whose
    // failure says nothing about the files.
    if (options.signal?.aborted) return undefined;
    const end = performance.now();
    return { ...report, status: "failed", ms: Math.round(end - batch.at), phases: phases(end), result: null, error };
  }
}

/** Files changed since the last cycle took its batch. */
interface Batch {
  /** Relative to the root, sorted. */
  files: string[];
  /** `performance.now()` of the last change. */
  at: number;
}

/** Collects changed files and hands them out as a batch once no change came for `quietMs`. */
class Changes {
  readonly #quietMs: number;
  #files = new Set<string>();
  #lastAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ready = false;
  #wake: (() => void) | undefined;

  constructor(quietMs: number) {
    this.#quietMs = quietMs;
  }

  /** The batch of the first cycle: no files, starting now. */
  initial(): Batch {
    return { files: [], at: performance.now() };
  }

  /** Records a change of `file` and restarts the quiet period. */
  add(file: string): void {
    this.#files.add(file);
    this.#lastAt = performance.now();
    this.#ready = false;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#ready = true;
      this.#wake?.();
    }, this.#quietMs);
  }

  /** Whether a change came after `performance.now()` was `at`. */
  changedSince(at: number): boolean {
    return this.#lastAt > at;
  }

  /** Puts the files of an interrupted cycle back; they go with the next batch. */
  restore(files: string[]): void {
    for (const file of files) this.#files.add(file);
    if (this.#timer === undefined && this.#files.size > 0) this.#ready = true;
  }

  /** The next batch, once its quiet period is over; `undefined` when `signal` aborts first. */
  async next(signal: AbortSignal | undefined): Promise<Batch | undefined> {
    while (!this.#ready) {
      if (signal?.aborted) return undefined;
      const { promise, resolve } = Promise.withResolvers<void>();
      const wake = () => resolve();
      this.#wake = wake;
      signal?.addEventListener("abort", wake);
      await promise;
      signal?.removeEventListener("abort", wake);
      this.#wake = undefined;
    }
    if (signal?.aborted) return undefined;
    const batch = { files: [...this.#files].sort(), at: this.#lastAt };
    this.#files.clear();
    this.#ready = false;
    return batch;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#wake?.();
  }
}

/**
 * The file system watchers of a project: the functions directory (recursively), the root (for its
 * configuration files) and each other directory of the project holding a file the functions import.
 * Every path here is a real path (symbolic links resolved), as the watchers report them.
 */
class ProjectWatch {
  readonly root: string;
  readonly functionsDir: string;
  readonly #project: Project;
  readonly #changes: Changes;
  readonly #configs: Set<string>;
  #files = new Set<string>();
  readonly #watchers = new Map<string, Deno.FsWatcher>();
  readonly #pumps: Promise<void>[] = [];
  #refreshing: Promise<void> = Promise.resolve();

  private constructor(project: Project, changes: Changes, root: string, functionsDir: string, configs: string[]) {
    this.#project = project;
    this.#changes = changes;
    this.root = root;
    this.functionsDir = functionsDir;
    this.#configs = new Set(configs);
  }

  /**
   * Starts watching `project`.
   *
   * @throws {CompileError} `no_functions_dir` when the functions directory does not exist
   */
  static async start(project: Project, changes: Changes): Promise<ProjectWatch> {
    const files = await sourceFiles(project);
    const root = await Deno.realPath(project.root);
    const functionsDir = await Deno.realPath(project.functionsDir);
    const configs = ["deno.json", "deno.jsonc", "stopgap.json"].map((name) => join(root, name));
    if (project.denoConfig !== undefined) configs.push(await realPath(project.denoConfig));
    const watch = new ProjectWatch(project, changes, root, functionsDir, configs);
    watch.#watch(functionsDir, true);
    for (const dir of new Set([root, ...configs.map((c) => dirname(c))])) {
      if (!within(functionsDir, dir)) watch.#watch(dir, false);
    }
    await watch.#setFiles(files);
    return watch;
  }

  /** `path` relative to the root with `/`, or absolute when outside it. */
  display(path: string): string {
    const rel = relative(this.root, path);
    if (rel === "") return ".";
    return rel.startsWith("..") || isAbsolute(rel) ? path : rel.split(sep).join("/");
  }

  /** Reads the imports again (in the background; one at a time) and watches the directories of new ones. */
  refresh(): void {
    this.#refreshing = this.#refreshing.then(async () => {
      try {
        await this.#setFiles(await sourceFiles(this.#project));
      } catch {
        // Keep the files known so far: a cycle reports what is wrong with the project (a missing
        // functions directory, a deno.json that does not parse); the next refresh tries again.
      }
    });
  }

  async close(): Promise<void> {
    for (const watcher of this.#watchers.values()) watcher.close();
    await Promise.all(this.#pumps);
    await this.#refreshing;
  }

  async #setFiles(files: Set<string>): Promise<void> {
    const known = new Set<string>();
    for (const file of files) {
      const path = await realPath(file);
      if (!within(this.root, path) && !within(this.functionsDir, path)) continue;
      known.add(path);
      const dir = dirname(path);
      if (!within(this.functionsDir, dir)) this.#watch(dir, false);
    }
    this.#files = known;
  }

  #watch(dir: string, recursive: boolean): void {
    if (this.#watchers.has(dir)) return;
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(dir, { recursive });
    } catch (error) {
      // An imported file in a directory that does not exist yet: its creation is a change of the
      // importing module's next save at the latest.
      if (error instanceof Deno.errors.NotFound && dir !== this.functionsDir) return;
      throw error;
    }
    this.#watchers.set(dir, watcher);
    this.#pumps.push((async () => {
      try {
        for await (const event of watcher) this.#onEvent(event);
      } catch {
        // The directory went away; a cycle reports what that does to the project.
      }
    })());
  }

  #onEvent(event: Deno.FsEvent): void {
    // Reads and closes; a write also comes as "modify".
    if (event.kind === "access") return;
    for (const path of event.paths) {
      if (this.#matters(path, event.kind)) this.#changes.add(this.display(path));
    }
  }

  /** Whether a change of `path` can change what a deploy deploys. */
  #matters(path: string, kind: Deno.FsEvent["kind"]): boolean {
    if (this.#files.has(path) || this.#configs.has(path)) return true;
    // A directory that held known files, moved or removed: its files send no events of their own.
    const prefix = path + sep;
    for (const file of this.#files) if (file.startsWith(prefix)) return true;
    if (!within(this.functionsDir, path) || path === this.functionsDir) return false;
    const parts = relative(this.functionsDir, path).split(sep);
    // Private helpers matter once a module imports them (then they are known files); editors'
    // temporary files (.x.ts.swp, .#x.ts) start with a dot.
    if (parts.some((part) => part.startsWith("_") || part.startsWith("."))) return false;
    if (isFunctionModule(parts[parts.length - 1])) return true;
    // A directory of modules created or moved in.
    return (kind === "create" || kind === "rename") && isDirectory(path);
  }
}

/** Whether `path` is `dir` or inside it. */
function within(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** The real path of `path`, or `path` itself when it does not exist (an import of a file not written yet). */
async function realPath(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return path;
    throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
