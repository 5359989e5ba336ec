/**
 * Test helper: a streaming-replication hot standby of the private cluster, for tests of what runs on read
 * replicas.
 *
 * The standby is made as an operator would make one: a physical replication slot on the primary, then
 * `pg_basebackup -R` into a folder of its own, started on a port of its own. The primary is the cluster of
 * `DATABASE_URL` (see `./harness.ts`). Server binaries come from `STOPGAP_PG_BIN`, which `./dev` sets.
 *
 * @module
 */

import postgres from "postgres";
import { databaseUrl, withAdmin } from "./harness.ts";

/** A running standby; `await using` stops it, removes its folder and drops its slot. */
export interface Standby extends AsyncDisposable {
  /** The standby's port on 127.0.0.1. */
  readonly port: number;
  /** The standby server's log file (removed by `stop`). */
  readonly log: string;
  /** The URL of database `name` on the standby (default: the primary URL's database). */
  url(name?: string): string;
  /** Resolves once the standby has replayed everything the primary had written when it was called. */
  caughtUp(): Promise<void>;
  /** Stops the standby. Safe to call twice. */
  stop(): Promise<void>;
}

const PG_BIN = Deno.env.get("STOPGAP_PG_BIN") || "/usr/lib/postgresql/15/bin";
const IS_ROOT = Deno.uid() === 0;

/**
 * Creates and starts a hot standby of the private cluster.
 *
 * @param port the standby's port; it must be free
 * @returns the running standby, replaying from a slot of its own
 */
export async function startStandby(port: number): Promise<Standby> {
  const slot = `standby_${port}`;
  const dir = await Deno.makeTempDir({ prefix: "stopgap-standby-" });
  if (IS_ROOT) await run(["chown", "postgres", dir], false);
  const data = `${dir}/data`;
  const primary = new URL(databaseUrl());
  await withAdmin((sql) =>
    sql`select pg_create_physical_replication_slot(${slot}) where not exists
          (select from pg_replication_slots where slot_name = ${slot})`
  );
  let started = false;
  try {
    await run([
      `${PG_BIN}/pg_basebackup`,
      `--host=${primary.hostname}`,
      `--port=${primary.port}`,
      `--username=${decodeURIComponent(primary.username) || "postgres"}`,
      `--pgdata=${data}`,
      `--slot=${slot}`,
      "--write-recovery-conf",
      "--checkpoint=fast",
      "--wal-method=stream",
    ]);
    // The copied configuration names the primary's port and socket folder: the standby gets its own.
    await Deno.writeTextFile(
      `${data}/postgresql.conf`,
      `\n# standby\nport = ${port}\nunix_socket_directories = '${dir}'\nhot_standby = on\n`,
      { append: true },
    );
    await run([`${PG_BIN}/pg_ctl`, "-D", data, "-l", `${dir}/postgres.log`, "-w", "-t", "60", "start"]);
    started = true;
    await waitUntilInRecovery(port, primary);
  } catch (e) {
    if (started) await run([`${PG_BIN}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
    await cleanup(dir, slot);
    throw e;
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await run([`${PG_BIN}/pg_ctl`, "-D", data, "-m", "fast", "-w", "stop"]).catch(() => {});
    await cleanup(dir, slot);
  };
  const url = (name?: string) => {
    const u = new URL(databaseUrl());
    u.port = String(port);
    if (name) u.pathname = `/${name}`;
    return u.href;
  };
  const caughtUp = async () => {
    // The end of a record written now, after everything before it: the standby has replayed all of that
    // once its replay position reaches it. (The insert position would not do: right after a segment switch,
    // as a base backup ends with, it lies past the new segment's header, where replay never gets until
    // some other record is written. The private cluster commits asynchronously; the WAL writer flushes
    // the record within wal_writer_delay.)
    const [{ lsn }] = await withAdmin((sql) =>
      sql`select pg_logical_emit_message(false, 'stopgap-test', '')::text as lsn`
    );
    const standby = postgres(url(), { max: 1, onnotice: () => {} });
    try {
      for (let i = 0; i < 600; i++) {
        const [{ done }] = await standby`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as done`;
        if (done) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`standby on port ${port} did not replay up to ${lsn} within 30 s`);
    } finally {
      await standby.end({ timeout: 5 });
    }
  };
  return { port, log: `${dir}/postgres.log`, url, caughtUp, stop, [Symbol.asyncDispose]: stop };
}

async function waitUntilInRecovery(port: number, primary: URL): Promise<void> {
  const u = new URL(primary.href);
  u.port = String(port);
  const sql = postgres(u.href, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [{ recovering }] = await sql`select pg_is_in_recovery() as recovering`;
    if (!recovering) throw new Error(`the server on port ${port} is not a standby`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function cleanup(dir: string, slot: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await withAdmin((sql) =>
    sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot}`
  ).catch(() => {});
}

/** Runs a server program, as `postgres` when we are root (initdb and the server refuse root). */
async function run(argv: string[], asPostgres = true): Promise<void> {
  const [cmd, ...args] = IS_ROOT && asPostgres ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
  const env = { ...Deno.env.toObject() };
  // pgrx appends Rust backtraces to error DETAILs when the server's environment has these.
  delete env.RUST_BACKTRACE;
  delete env.RUST_LIB_BACKTRACE;
  const out = await new Deno.Command(cmd, { args, env, clearEnv: true, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) || new TextDecoder().decode(out.stdout);
    throw new Error(`${argv[0]} failed (exit ${out.code}): ${text.trim()}`);
  }
}
