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
