/**
 * Test helper: a private pgbouncer in TRANSACTION pooling mode in front of the private cluster, for
 * one test, stopped by `await using`.
 *
 * Each pgbouncer gets its own port and its own directory under `/tmp` (its `pgbouncer.ini` and
 * `userlist.txt`), so it never depends on a pgbouncer service the Debian package may run on 6432.
 * It hands out at most {@linkcode PoolerOptions.poolSize} server connections per database and user,
 * and (`server_round_robin`) the least recently used one first, so one client's consecutive
 * transactions land on different backends: what a pooler does to code that assumes a session.
 *
 * pgbouncer refuses to run as root; as root it runs as the cluster user `postgres`, as `./dev` runs
 * the cluster (`as_pg`), through `setpriv`.
 *
 * @example A pooler for one test, in front of a fresh database
 * ```ts ignore
 * import postgres from "postgres";
 * import { freshDatabase } from "./harness.ts";
 * import { startPgbouncer } from "./_pgbouncer.ts";
 *
 * await using db = await freshDatabase("example");
 * await using pooler = await startPgbouncer(); // declared after db: stopped before db is dropped
 * const sql = postgres(pooler.url(db.name), { prepare: false });
 * ```
 *
 * @module
 */

import postgres from "postgres";
import { databaseUrl } from "./harness.ts";

/** Where Debian's `pgbouncer` package (an APT package of `./dev setup`) puts the binary. */
export const PGBOUNCER = "/usr/sbin/pgbouncer";

/** The user pgbouncer runs as when this process is root (the private cluster's user, see `./dev`). */
const RUN_AS = "postgres";

/** Options of {@linkcode startPgbouncer}. */
export interface PoolerOptions {
  /** Server connections per database and user (`default_pool_size`); default 3. */
  poolSize?: number;
  /** The roles clients may log in as (pgbouncer's `auth_file`; the cluster trusts them); default `["postgres"]`. */
  users?: string[];
}

/** A running pgbouncer; `await using` stops it. */
export interface Pooler extends AsyncDisposable {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The cluster port it forwards to. */
  readonly serverPort: number;
  /** Its directory: `pgbouncer.ini`, `userlist.txt`. */
  readonly dir: string;
  /** A URL of database `database` through the pooler, as user `user` (default `postgres`). */
  url(database: string, user?: string): string;
  /**
   * Makes the pool of `database` (as `user`) hold all its server connections: `poolSize` clients run a
   * transaction at the same time, so pgbouncer opens a backend for each. Afterwards, sequential
   * transactions of one client rotate over them (`server_round_robin`).
   *
   * @returns the backend pids of the pool
   */
  fill(database: string, user?: string): Promise<number[]>;
  /** What pgbouncer printed so far (its log goes to stderr). */
  log(): string;
  /** Stops pgbouncer and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts pgbouncer in transaction pooling mode in front of the cluster of `databaseUrl()`, with a
 * `*` database entry (every database of the cluster, by the name the client asks for), and waits
 * until it answers a query.
 *
 * @param options the pool size and the users that may log in
 * @returns the running pooler
 * @throws {Error} when pgbouncer is not installed ("run ./dev setup"), or does not answer within 10 s
 *   (with its log)
 */
export async function startPgbouncer(options: PoolerOptions = {}): Promise<Pooler> {
  const poolSize = options.poolSize ?? 3;
  const users = options.users ?? ["postgres"];
  try {
    await Deno.stat(PGBOUNCER);
  } catch {
    throw new Error(`pgbouncer is not installed (${PGBOUNCER} is missing): run ./dev setup`);
  }
  const server = new URL(databaseUrl());
  const serverPort = Number(server.port || 5432);
  const port = freePort();
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "stopgap-pgbouncer-" });
  // pgbouncer (maybe as `postgres`) only reads these files: its log goes to stderr, it has no
  // pidfile and no unix socket, so the directory need not be writable by it.
  await Deno.chmod(dir, 0o755);
  const userlist = users.map((user) => `"${user.replaceAll('"', '""')}" ""`).join("\n");
  await Deno.writeTextFile(`${dir}/userlist.txt`, `${userlist}\n`, { mode: 0o644 });
  await Deno.writeTextFile(
    `${dir}/pgbouncer.ini`,
    `[databases]
* = host=${server.hostname} port=${serverPort}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
; The private cluster trusts local TCP connections; trust still needs the user in auth_file.
auth_type = trust
auth_file = ${dir}/userlist.txt
pool_mode = transaction
default_pool_size = ${poolSize}
; Hand out the least recently used server connection, not the last one: sequential transactions
; of one client then rotate over the pool's backends instead of reusing one.
server_round_robin = 1
max_client_conn = 200
log_connections = 0
log_disconnections = 0
log_pooler_errors = 1
`,
    { mode: 0o644 },
  );
  const command = [PGBOUNCER, `${dir}/pgbouncer.ini`];
  // setpriv rather than ./dev's runuser: setpriv execs pgbouncer, so the child is pgbouncer itself
  // and SIGTERM reaches it. runuser forks and waits; on SIGTERM it signals its child, waits 2 s
  // and exits without reaping it (measured: every stop took 2.0 s and left a zombie).
  const root = Deno.uid() === 0;
  const child = new Deno.Command(root ? "setpriv" : command[0], {
    args: root ? [`--reuid=${RUN_AS}`, `--regid=${RUN_AS}`, "--init-groups", "--", ...command] : command.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) output += text;
  };
  const drained = Promise.all([collect(child.stdout), collect(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // SIGTERM is pgbouncer's immediate shutdown.
    if (!exited) child.kill("SIGTERM");
    await status;
    await drained;
    await Deno.remove(dir, { recursive: true });
  };
  const url = (database: string, user = "postgres") =>
    `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const fill = async (database: string, user?: string) => {
    const sql = postgres(url(database, user), { max: poolSize, prepare: false, onnotice: () => {} });
    try {
      // Each transaction holds its backend until all have started: pg_sleep keeps the first ones busy.
      const rows = await Promise.all(
        Array.from({ length: poolSize }, () => sql`select pg_backend_pid() as pid, pg_sleep(0.3)`),
      );
      return [...new Set(rows.map(([row]) => row.pid as number))].sort((a, b) => a - b);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  const pooler: Pooler = {
    port,
    serverPort,
    dir,
    url,
    fill,
    log: () => output,
    stop,
    [Symbol.asyncDispose]: stop,
  };

  try {
    await waitUntilAnswering(url(server.pathname.slice(1) || "postgres"), () => exited);
  } catch (cause) {
    await stop();
    throw new Error(`pgbouncer on 127.0.0.1:${port} (in front of port ${serverPort}) did not answer:\n${output}`, {
      cause,
    });
  }
  return pooler;
}

/** A port nobody listens on now (the kernel's choice); pgbouncer binds it right after. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Retries `select 1` through the pooler for up to 10 s; gives up at once when pgbouncer exited. */
async function waitUntilAnswering(url: string, exited: () => boolean): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    if (exited()) throw new Error("pgbouncer exited", { cause: last });
    const sql = postgres(url, { max: 1, prepare: false, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      last = error;
    } finally {
      await sql.end({ timeout: 1 });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw last;
}
