/**
 * Small SQL helpers shared by the API modules.
 *
 * @module
 */

/** `name` as a quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `text` as a dollar-quoted literal whose tag does not occur in it. */
export function dollarQuote(text: string): string {
  for (let i = 0;; i++) {
    const tag = i === 0 ? "$stopgap$" : `$stopgap${i}$`;
    if (!text.includes(tag)) return `${tag}${text}${tag}`;
  }
}

/** An int8 column (postgres.js returns strings) as a number, keeping `null`. */
export function toId(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A timestamptz column as an ISO string, keeping `null`. */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** 8 random hex digits. */
export function randomHex(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0")).join("");
}
