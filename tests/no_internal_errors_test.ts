/**
 * No expected output of the project's suites shows an internal error (SQLSTATE XX000): every failure
 * of plts and stopgap carries its own SQLSTATE. (`./dev test` also checks the server log of the whole run,
 * where the SQLSTATE of every error is logged.)
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
/** SQLSTATE XX000, or the words PostgreSQL and pgrx print for it. */
const INTERNAL = /\bXX000\b|internal_error|ERRCODE_INTERNAL_ERROR/;

/** Files under `dir` (relative to the repository root) whose name ends with one of `endings`. */
async function* files(dir: string, endings: string[]): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* files(path, endings);
    else if (endings.some((e) => entry.name.endsWith(e))) yield path;
  }
}

async function offenders(dirs: string[], endings: string[], skip: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const dir of dirs) {
    for await (const path of files(dir, endings)) {
      if (skip.includes(path)) continue;
      const lines = (await Deno.readTextFile(new URL(path, ROOT))).split("\n");
      lines.forEach((line, i) => INTERNAL.test(line) && found.push(`${path}:${i + 1}: ${line.trim()}`));
    }
  }
  return found;
}

Deno.test("no pg_regress expected output contains an internal error (XX000)", async () => {
  const found = await offenders(["ext/plts/tests/pg_regress/expected", "ext/stopgap/tests/pg_regress/expected"], [
    ".out",
  ]);
  assert.deepEqual(found, []);
});

Deno.test("no end-to-end test expects an internal error (XX000)", async () => {
  const found = await offenders(["tests"], [".ts", ".json", ".txt"], ["tests/no_internal_errors_test.ts"]);
  assert.deepEqual(found, []);
});

Deno.test("the check finds XX000 where it is", () => {
  assert.ok(INTERNAL.test("ERROR:  XX000: cannot assign TransactionIds during recovery"));
  assert.ok(!INTERNAL.test("ERROR:  25006: cannot execute INSERT in a read-only transaction"));
});
