/**
 * Running the `deno` executable for `deno check`, `deno bundle` and the export inspection.
 *
 * @module
 */

import { basename } from "node:path";

/** What a finished `deno` subprocess printed. */
export interface DenoRun {
  /** Exit code. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The `deno` executable: `STOPGAP_DENO`, else the running Deno when this is `deno` itself (not a
 * `deno compile`d `stopgap` binary), else `deno` on `PATH`.
 */
export function denoExecutable(): string {
  const configured = Deno.env.get("STOPGAP_DENO");
  if (configured) return configured;
  const current = Deno.execPath();
  if (/^deno(\.exe)?$/.test(basename(current))) return current;
  return "deno";
}

/**
 * Runs `deno <args>` in `cwd` without colours and collects its output.
 *
 * @throws {Error} saying how to point the CLI at Deno when the executable is missing
 */
export async function runDeno(args: string[], cwd: string): Promise<DenoRun> {
  const executable = denoExecutable();
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(executable, {
      args,
      cwd,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot run "${executable}": the compiler needs Deno 2 (for deno check and deno bundle); ` +
          `install it or set STOPGAP_DENO to its path`,
        { cause },
      );
    }
    throw cause;
  }
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** `--config <file>` when the project has a deno.json, else `--no-config`. */
export function configArgs(denoConfig: string | undefined): string[] {
  return denoConfig ? ["--config", denoConfig] : ["--no-config"];
}
