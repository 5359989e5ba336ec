/**
 * Test helper: runs the real `stopgap` CLI (`deno run -A cli.ts`) as a subprocess in a chosen
 * directory, and makes throwaway project directories.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url);
const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** What one CLI run printed, and its exit code. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `stopgap ...args` with `cwd` (default: the repository root) and extra environment variables.
 *
 * @example
 * ```ts ignore
 * const run = await stopgapIn("/tmp/project", ["status", "--json"]);
 * ```
 */
export async function stopgapIn(cwd: string | URL, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CLI, ...args],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Runs `stopgap ...args` in the repository root. */
export function stopgap(...args: string[]): Promise<Run> {
  return stopgapIn(ROOT, args);
}

/** Runs the CLI and fails the test unless it exits 0; returns stdout parsed as JSON when `--json` is among the args. */
export async function ok(cwd: string | URL, ...args: string[]): Promise<Run> {
  const run = await stopgapIn(cwd, args);
  if (run.code !== 0) {
    throw new Error(`stopgap ${args.join(" ")} exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return run;
}

/** A temporary directory removed by `await using`. */
export async function tempProject(): Promise<AsyncDisposable & { dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "stopgap-project-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** A `stopgap` subprocess that keeps running (`stopgap dev`), read line by line. */
export interface RunningStopgap extends AsyncDisposable {
  /** The lines printed so far on each stream. */
  readonly lines: { stdout: string[]; stderr: string[] };
  /**
   * Waits for a line on `stream` matching `pattern`, among those after the line the previous wait on
   * that stream returned, and returns its match.
   *
   * @throws {Error} with everything printed so far when the process exits first or `timeoutMs` pass
   */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` to the process. */
  kill(signal: Deno.Signal): void;
  /** How it exited, once it has and both streams are read to the end. */
  readonly status: Promise<Deno.CommandStatus>;
}

/**
 * Starts `stopgap ...args` in `cwd` and reads its output as it comes. `await using` kills it (SIGKILL)
 * if it still runs at the end of the scope.
 *
 * @example
 * ```ts ignore
 * await using dev = startStopgap(dir, ["dev", "--env", "dev", "--db", url]);
 * await dev.waitFor("stderr", /deployment \d+ live/);
 * dev.kill("SIGINT");
 * assert.equal((await dev.status).code, 0);
 * ```
 */
export function startStopgap(cwd: string, args: string[], env: Record<string, string> = {}): RunningStopgap {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, CLI, ...args],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const next = { stdout: 0, stderr: 0 };
  // Resolved and replaced whenever a line comes or the process ends.
  let changed = Promise.withResolvers<void>();
  const notify = () => {
    const waiting = changed;
    changed = Promise.withResolvers<void>();
    waiting.resolve();
  };
  let ended = false;
  const read = async (stream: ReadableStream<Uint8Array>, into: string[]) => {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      into.push(...parts);
      notify();
    }
    if (rest !== "") into.push(rest);
  };
  const status = Promise.all([read(child.stdout, lines.stdout), read(child.stderr, lines.stderr)])
    .then(() => child.status)
    .finally(() => {
      ended = true;
      notify();
    });
  const printed = () => `\nstdout:\n${lines.stdout.join("\n")}\nstderr:\n${lines.stderr.join("\n")}`;
  return {
    lines,
    status,
    async waitFor(stream, pattern, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const wake = changed.promise;
        for (let i = next[stream]; i < lines[stream].length; i++) {
          const match = pattern.exec(lines[stream][i]);
          if (match) {
            next[stream] = i + 1;
            return match;
          }
        }
        if (ended) {
          throw new Error(`stopgap ${args.join(" ")} exited before printing ${pattern} on ${stream}${printed()}`);
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`stopgap ${args.join(" ")} printed no ${pattern} on ${stream}${printed()}`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([wake, new Promise((resolve) => timer = setTimeout(resolve, left))]);
        clearTimeout(timer);
      }
    },
    kill: (signal) => child.kill(signal),
    async [Symbol.asyncDispose]() {
      if (!ended) {
        try {
          child.kill("SIGKILL");
        } catch {
          // It exited meanwhile.
        }
      }
      await status;
    },
  };
}
