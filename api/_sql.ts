/**
 * Small SQL helpers shared by the API modules.
 *
 * @module
 */

import type postgres from "postgres";

/**
 * First key of the advisory lock that stopgap's deploy, rollback, prune and configure_environment
 * take per environment (the second is `hashtext(env)`); see docs/DEPLOYMENT-RUNBOOK.md.
 */
const ENVIRONMENT_LOCK_CLASS = 1398032208;

/**
 * Takes the environment lock of `env` in transaction `tx`, until it ends. The stopgap function
 * called afterwards takes it again (advisory locks nest within a session), so what `tx` reads
 * between the two is what that function works from: under READ COMMITTED each statement after the
 * lock sees what a concurrent deploy or rollback committed.
 */
export async function lockEnvironment(tx: postgres.TransactionSql, env: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(${ENVIRONMENT_LOCK_CLASS}::int, hashtext(${env}))`;
}

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
