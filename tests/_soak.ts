/**
 * The soak: N clients call a deployed app's mutation and query without pause while another client
 * flips the environment's live schema every second — deploys of two versions in turn, and every
 * third flip a rollback. Shared by `bench/soak.ts` (`./dev soak`, long runs with figures) and
 * `tests/soak_test.ts` (a short run inside `./dev test`).
 *
 * The app is `tests/fixtures/bank` (`bank_transfer`, `bank_total`), compiled once per version with
 * the project's compiler, staged into schemas `soak_v1` and `soak_v2`, and deployed and rolled back
 * with `api/deploy.ts` and `api/environments.ts`. Clients call the mutation through the live schema
 * (`live_<env>.bank_transfer(...)`, as an application's SQL would) and the query by name
 * (`stopgap.call_fn`, as the typed client does).
 *
 * What must hold: no call and no flip fails; every `total` a client reads equals the starting total;
 * at the end the balances still sum to it, none is negative, the transfer log has exactly one row per
 * transfer a client saw succeed, every client is still on the backend it started on, and the
 * catalogs are consistent (`tests/_stopgap_catalog.ts`).
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";
import postgres from "postgres";
import { compile } from "../compiler/mod.ts";
import { dollarQuote, ident } from "../api/_sql.ts";
import { deploy } from "../api/deploy.ts";
import { rollback } from "../api/environments.ts";
import { call } from "../api/client.ts";
import { assertCatalogConsistent, type CatalogState } from "./_stopgap_catalog.ts";

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** A database on the cluster with `plts` and `stopgap` created; the soak creates its tables there. */
  url: string;
  /** How long the clients call, in seconds. */
  seconds: number;
  /** Concurrent calling clients, one connection (one server backend) each. */
  clients: number;
  /** The environment (default `soak`). */
  env?: string;
  /** Milliseconds between flips (default 1000). */
  flipMs?: number;
  /** When the first memory sample is taken, in seconds (default: 10% of the run, at least 2 s). */
  warmupSeconds?: number;
  /** Accounts in the bank (default 100), each starting with 1,000. */
  accounts?: number;
  /** Progress lines (about ten per run), e.g. `console.error`. */
  onProgress?: (line: string) => void;
}

/** The private memory of one server backend, in kB (`RssAnon` of `/proc/<pid>/status`). */
export interface BackendMemory {
  /** The backend's pid (`pg_backend_pid()`). */
  pid: number;
  /** After the warm-up; `null` when `/proc/<pid>` cannot be read (a server on another machine). */
  warmKb: number | null;
  /** At the end, before the connections close. */
  endKb: number | null;
}

/** What {@linkcode runSoak} measured. */
export interface SoakResult {
  /** Wall-clock seconds the clients called. */
  seconds: number;
  clients: number;
  /** Calls made: transfers plus totals. */
  calls: number;
  transfers: number;
  /** Transfers that moved money (the others found too little in the source account). */
  okTransfers: number;
  totals: number;
  /** Calls that raised an error, or read a total other than the starting one. */
  failures: number;
  /** The first few failures' messages. */
  failureSamples: string[];
  /** Calls answered by each version of the app. */
  servedBy: Record<string, number>;
  /** Flips that changed the active deployment: deploys plus rollbacks. */
  flips: number;
  deploys: number;
  rollbacks: number;
  /** Flips that raised an error or changed nothing. */
  flipFailures: number;
  flipFailureSamples: string[];
  /** The invariant at the end. */
  invariant: {
    accounts: number;
    startTotal: number;
    endTotal: number;
    negativeBalances: number;
    /** Rows of `soak_transfer`: must equal `okTransfers`. */
    loggedTransfers: number;
  };
  /** Clients whose connection ended up on another backend (a reconnect): must be 0. */
  reconnects: number;
  /** The calling clients' backends. */
  memory: BackendMemory[];
  /** The flipping client's backend. */
  flipperMemory: BackendMemory;
  /** The catalogs at the end. */
  catalog: CatalogState;
}

const FIXTURE = fromFileUrl(new URL("./fixtures/bank/", import.meta.url));
const ROOT = fromFileUrl(new URL("../", import.meta.url));
const START_BALANCE = 1000;
const CONNECTION = { max: 1, onnotice: () => {}, connect_timeout: 10, idle_timeout: 0, max_lifetime: null };

/**
 * Whether the soak's result shows a healthy system: no failed call or flip, the invariant intact, no
 * reconnect. Returns the reasons it does not, empty when it does.
 */
export function problems(result: SoakResult): string[] {
  const out: string[] = [];
  const inv = result.invariant;
  if (result.failures > 0) out.push(`${result.failures} failed calls: ${result.failureSamples.join(" | ")}`);
  if (result.flipFailures > 0) {
    out.push(`${result.flipFailures} failed flips: ${result.flipFailureSamples.join(" | ")}`);
  }
  if (inv.endTotal !== inv.startTotal) out.push(`the balances sum to ${inv.endTotal}, not ${inv.startTotal}`);
  if (inv.negativeBalances > 0) out.push(`${inv.negativeBalances} negative balances`);
  if (inv.loggedTransfers !== result.okTransfers) {
    out.push(`${inv.loggedTransfers} transfers logged, ${result.okTransfers} reported done`);
  }
  if (result.reconnects > 0) out.push(`${result.reconnects} clients reconnected`);
  return out;
}

/** Runs the soak against `options.url` and returns its figures; see the module doc for what is checked. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const env = options.env ?? "soak";
  const flipMs = options.flipMs ?? 1000;
  const accounts = options.accounts ?? 100;
  const warmupMs = 1000 * (options.warmupSeconds ?? Math.max(2, options.seconds / 10));
  const progress = options.onProgress ?? (() => {});
  const startTotal = accounts * START_BALANCE;

  const admin = postgres(options.url, CONNECTION);
  const flipper = postgres(options.url, CONNECTION);
  const clients = Array.from({ length: options.clients }, () => postgres(options.url, CONNECTION));
  try {
    const liveSchema = await setUp(admin, env, accounts);
    const pids = await Promise.all(clients.map(backendPid));
    const flipperPid = await backendPid(flipper);

    const stats = {
      transfers: 0,
      okTransfers: 0,
      totals: 0,
      failures: 0,
      failureSamples: [] as string[],
      servedBy: {} as Record<string, number>,
    };
    const fail = (what: string, error: unknown) => {
      stats.failures++;
      if (stats.failureSamples.length < 5) {
        stats.failureSamples.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const served = (version: unknown) => {
      const key = `v${version}`;
      stats.servedBy[key] = (stats.servedBy[key] ?? 0) + 1;
    };

    let stop = false;
    const started = performance.now();
    const client = async (sql: postgres.Sql) => {
      while (!stop) {
        const from = 1 + Math.floor(Math.random() * accounts);
        const to = 1 + Math.floor(Math.random() * accounts);
        const amount = 1 + Math.floor(Math.random() * 50);
        try {
          const [{ r }] = await sql`select ${sql(liveSchema)}.bank_transfer(${sql.json({ from, to, amount })}) as r`;
          stats.transfers++;
          if (r.ok) stats.okTransfers++;
          served(r.version);
        } catch (error) {
          stats.transfers++;
          fail("transfer", error);
        }
        try {
          const r = await call({ sql, env, name: "bank_total" }) as { total: number; version: number };
          stats.totals++;
          if (r.total !== startTotal) fail("total", new Error(`read ${r.total}, expected ${startTotal}`));
          served(r.version);
        } catch (error) {
          stats.totals++;
          fail("total", error);
        }
      }
    };

    const flips = { deploys: 0, rollbacks: 0, failures: 0, samples: [] as string[] };
    const flipLoop = async () => {
      let active = 1;
      for (let k = 0; !stop; k++) {
        const due = started + (k + 1) * flipMs;
        while (!stop && performance.now() < due) await sleep(Math.min(50, due - performance.now()));
        if (stop) break;
        try {
          if (k % 3 === 2) {
            const result = await rollback({ sql: flipper, env });
            if (result.status !== "rolled_back") throw new Error(`rollback changed nothing (${result.label})`);
            active = Number(/^v(\d)/.exec(result.label)?.[1]);
            flips.rollbacks++;
          } else {
            const next = active === 1 ? 2 : 1;
            const result = await deploy({ sql: flipper, env, fromSchema: `soak_v${next}`, label: `v${next}-flip${k}` });
            if (result.status !== "deployed") throw new Error(`deploy of v${next} was ${result.status}`);
            active = next;
            flips.deploys++;
          }
        } catch (error) {
          flips.failures++;
          if (flips.samples.length < 5) flips.samples.push(error instanceof Error ? error.message : String(error));
        }
      }
    };

    const running = [...clients.map(client), flipLoop()];
    const report = (label: string, clientsKb: (number | null)[], flipperKb: number | null) => {
      const known = clientsKb.filter((kb): kb is number => kb !== null).sort((a, b) => a - b);
      const median = known.length > 0 ? `${known[Math.floor(known.length / 2)]} kB` : "n/a";
      progress(
        `${label.padEnd(8)} ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s  calls ${
          stats.transfers + stats.totals
        }  failures ${stats.failures}  flips ${flips.deploys + flips.rollbacks}  flip failures ${flips.failures}` +
          `  RssAnon: clients' median ${median}, flipper ${flipperKb === null ? "n/a" : `${flipperKb} kB`}`,
      );
    };
    const sample = async () => ({
      clients: await Promise.all(pids.map(rssAnonKb)),
      flipper: await rssAnonKb(flipperPid),
    });

    await sleep(warmupMs);
    const warm = await sample();
    report("warm-up", warm.clients, warm.flipper);
    const endAt = started + options.seconds * 1000;
    const step = Math.max(1000, (endAt - performance.now()) / 9);
    while (performance.now() < endAt - 500) {
      await sleep(Math.min(step, endAt - performance.now()));
      if (performance.now() < endAt - 500) {
        const now = await sample();
        report("running", now.clients, now.flipper);
      }
    }
    const end = await sample();
    stop = true;
    await Promise.all(running);
    const seconds = (performance.now() - started) / 1000;
    report("done", end.clients, end.flipper);

    const after = await Promise.all(clients.map(backendPid));
    const [inv] = await admin`select sum(balance)::int as total, count(*) filter (where balance < 0)::int as negative,
      (select count(*)::int from soak_transfer) as logged from soak_account`;
    const catalog = await assertCatalogConsistent(admin, env);
    const calls = stats.transfers + stats.totals;
    return {
      seconds,
      clients: options.clients,
      calls,
      transfers: stats.transfers,
      okTransfers: stats.okTransfers,
      totals: stats.totals,
      failures: stats.failures,
      failureSamples: stats.failureSamples,
      servedBy: stats.servedBy,
      flips: flips.deploys + flips.rollbacks,
      deploys: flips.deploys,
      rollbacks: flips.rollbacks,
      flipFailures: flips.failures,
      flipFailureSamples: flips.samples,
      invariant: {
        accounts,
        startTotal,
        endTotal: inv.total,
        negativeBalances: inv.negative,
        loggedTransfers: inv.logged,
      },
      reconnects: after.filter((pid, i) => pid !== pids[i]).length,
      memory: pids.map((pid, i) => ({ pid, warmKb: warm.clients[i], endKb: end.clients[i] })),
      flipperMemory: { pid: flipperPid, warmKb: warm.flipper, endKb: end.flipper },
      catalog,
    };
  } finally {
    await Promise.all([admin, flipper, ...clients].map((sql) => sql.end({ timeout: 5 })));
  }
}

/** Tables, accounts, both versions compiled and staged, and v1 deployed; returns the live schema. */
async function setUp(sql: postgres.Sql, env: string, accounts: number): Promise<string> {
  await sql`create table soak_account (id int primary key, balance int not null)`;
  await sql`create table soak_transfer (id bigint generated always as identity primary key,
    from_id int not null, to_id int not null, amount int not null, version int not null)`;
  await sql`insert into soak_account select i, ${START_BALANCE} from generate_series(1, ${accounts}) i`;
  for (const version of [1, 2]) {
    const { functions } = await compile({ root: ROOT, dir: `${FIXTURE}v${version}` });
    const schema = `soak_v${version}`;
    await sql.begin(async (tx) => {
      await tx.unsafe(`create schema ${ident(schema)}`);
      for (const fn of functions) {
        const volatility = fn.kind === "query" ? "stable" : "volatile";
        await tx.unsafe(`create function ${ident(schema)}.${ident(fn.name)}(args jsonb) returns jsonb
          language plts ${volatility} as ${dollarQuote(fn.code)}`);
      }
    });
  }
  const first = await deploy({ sql, env, fromSchema: "soak_v1", label: "v1-start" });
  if (first.status !== "deployed") throw new Error(`the first deploy was ${first.status}`);
  const [{ live_schema }] = await sql`select live_schema::text from stopgap.environment where env = ${env}`;
  return live_schema;
}

async function backendPid(sql: postgres.Sql): Promise<number> {
  const [{ pid }] = await sql`select pg_backend_pid() as pid`;
  return pid;
}

/** `RssAnon` of `/proc/<pid>/status` in kB, or `null` when it cannot be read. */
async function rssAnonKb(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const match = /^RssAnon:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
