/**
 * Soak: `./dev soak [seconds] [--clients N]` (default 60 s, 16 clients). N clients call the bank
 * app's `transfer` mutation and `total` query while another client flips the live schema every
 * second (deploys of two versions in turn, every third flip a rollback); `tests/_soak.ts` has the
 * details. Runs in a fresh database on the private cluster (`DATABASE_URL`), dropped afterwards.
 *
 * Prints calls, failures, flips, calls/s and the private memory (`RssAnon`) of each server backend
 * after the warm-up and at the end. Exits 1 when a call or flip failed or the invariant broke; the
 * figures are reported, never asserted.
 *
 * Without `./dev`: `./dev deno run -A bench/soak.ts 20 --clients 8` against a running cluster.
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { databaseUrl } from "../tests/harness.ts";
import { type BackendMemory, problems, runSoak } from "../tests/_soak.ts";

function usage(message: string): never {
  console.error(`error: ${message}`);
  console.error("usage: ./dev soak [seconds] [--clients N]   (default 60 s, 16 clients)");
  Deno.exit(2);
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`${what} must be a positive whole number, got "${text}"`);
  return n;
}

function kb(value: number | null): string {
  return value === null ? "n/a" : String(value);
}

function memoryLine(name: string, m: BackendMemory): string {
  const delta = m.warmKb === null || m.endKb === null
    ? "n/a"
    : `${m.endKb >= m.warmKb ? "+" : ""}${m.endKb - m.warmKb}`;
  return `  ${name.padEnd(10)} ${String(m.pid).padStart(8)} ${kb(m.warmKb).padStart(10)} ${kb(m.endKb).padStart(10)} ${
    delta.padStart(8)
  }`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { clients: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length > 1) usage(`unexpected arguments: ${positionals.slice(1).join(" ")}`);
  const seconds = positionals[0] === undefined ? 60 : positiveInt(positionals[0], "seconds");
  const clients = values.clients === undefined ? 16 : positiveInt(values.clients, "--clients");

  const url = new URL(databaseUrl());
  const name = `bench_soak_${Date.now()}`;
  const admin = postgres(url.href, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  url.pathname = `/${name}`;
  try {
    const setup = postgres(url.href, { max: 1, onnotice: () => {} });
    const [{ version }] = await setup<{ version: string }[]>`select current_setting('server_version') as version`;
    await setup`create extension stopgap cascade`;
    await setup.end();

    console.log(`soak: ${seconds} s, ${clients} clients, a flip every second, PostgreSQL ${version}`);
    const r = await runSoak({ url: url.href, seconds, clients, onProgress: (line) => console.error(line) });

    const inv = r.invariant;
    console.log(`\nduration     ${r.seconds.toFixed(1)} s`);
    console.log(
      `calls        ${r.calls} (${r.transfers} transfers, ${r.okTransfers} moved money; ${r.totals} totals)`,
    );
    console.log(`calls/s      ${(r.calls / r.seconds).toFixed(0)}`);
    console.log(`failures     ${r.failures}${r.failureSamples.length ? `: ${r.failureSamples.join(" | ")}` : ""}`);
    console.log(
      `served by    ${Object.entries(r.servedBy).sort().map(([v, n]) => `${v} ${n}`).join(", ")}`,
    );
    console.log(
      `flips        ${r.flips} (${r.deploys} deploys, ${r.rollbacks} rollbacks), ${r.flipFailures} failed${
        r.flipFailureSamples.length ? `: ${r.flipFailureSamples.join(" | ")}` : ""
      }`,
    );
    console.log(
      `invariant    ${inv.accounts} accounts sum to ${inv.endTotal} (start ${inv.startTotal}), ${inv.negativeBalances} negative; ${inv.loggedTransfers} transfers logged`,
    );
    console.log(`reconnects   ${r.reconnects}`);
    console.log(
      `catalog      consistent: ${r.catalog.deployments.length} deployments, ${r.catalog.activations.length} activations`,
    );

    console.log(`\nRssAnon of the server backends (kB): after warm-up, at the end, growth`);
    console.log(
      `  ${"backend".padEnd(10)} ${"pid".padStart(8)} ${"warm".padStart(10)} ${"end".padStart(10)} ${
        "growth".padStart(8)
      }`,
    );
    r.memory.forEach((m, i) => console.log(memoryLine(`client ${i + 1}`, m)));
    console.log(memoryLine("flipper", r.flipperMemory));
    const growth = r.memory.filter((m) => m.warmKb !== null && m.endKb !== null).map((m) => m.endKb! - m.warmKb!)
      .sort((a, b) => a - b);
    if (growth.length > 0) {
      console.log(
        `  clients' growth: min ${growth[0]}, median ${growth[Math.floor(growth.length / 2)]}, max ${
          growth[growth.length - 1]
        } kB`,
      );
    }

    const wrong = problems(r);
    if (wrong.length > 0) {
      console.error(`\nerror: the soak failed:\n  ${wrong.join("\n  ")}`);
      return 1;
    }
    console.log(`\nok: 0 failed calls, 0 failed flips, the invariant holds`);
    return 0;
  } finally {
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end({ timeout: 5 });
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(`error: soak failed: ${error instanceof Error ? error.message : error}`);
    console.error(`hint: start the private cluster with "./dev db start", and install the extensions ("./dev build")`);
    Deno.exit(1);
  }
}
