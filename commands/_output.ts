/**
 * Output helpers of the CLI: JSON documents, aligned tables, colour only on a terminal, and
 * progress lines on stderr.
 *
 * @module
 */

/** Whether stdout gets colour: a terminal, and `NO_COLOR` unset. */
function colourful(): boolean {
  return Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
}

/** Bold when stdout is a terminal. */
export function bold(text: string): string {
  return colourful() ? `\x1b[1m${text}\x1b[22m` : text;
}

/** Dim when stdout is a terminal. */
export function dim(text: string): string {
  return colourful() ? `\x1b[2m${text}\x1b[22m` : text;
}

/** Prints `value` as one JSON document on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/**
 * Prints rows as a table with aligned columns and a header; `null` cells print as `-`.
 *
 * @param header the column titles
 * @param rows the cells, one array per row
 * @param indent spaces before each line
 */
export function printTable(header: string[], rows: (string | number | null)[][], indent = 2): void {
  const cells = rows.map((row) => row.map((cell) => cell === null ? "-" : String(cell)));
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) =>
    " ".repeat(indent) + row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ");
  console.log(bold(line(header)));
  for (const row of cells) console.log(line(row));
}

/** A progress reporter that writes `phase: detail` lines to stderr, with the elapsed time of the previous phase. */
export function progress(enabled: boolean): (phase: string, detail: string) => void {
  if (!enabled) return () => {};
  const encoder = new TextEncoder();
  return (phase, detail) => {
    Deno.stderr.writeSync(encoder.encode(`${phase.padEnd(8)} ${detail}\n`));
  };
}

/** Prints each warning on stderr as `warning: <text>`, the form of the CLI's `error: ` lines. */
export function printWarnings(warnings: string[]): void {
  for (const warning of warnings) console.error(`warning: ${warning}`);
}

/** `1 function`, `2 functions`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
