// The driver over postgres.js: a Postgres server. Every call is bounded by
// `timeouts.queryMs` from the moment it is made; a call that runs out is
// cancelled (so it cannot run later, when the server is back) and fails with
// StorageUnavailableError. Nothing else is given up: a dead server closes
// its connections, postgres.js opens new ones on the next call (with the
// capped backoff of an owned pool, see timeouts.ts), so the same saver works
// again as soon as the server answers.
import type { Sql, TransactionSql } from "postgres";
import { isUnreachable, toSavepointError } from "./errors.js";
import { databaseLabel } from "./source.js";
import type { Queryable, Row, SqlDriver } from "./sql.js";
import { type PostgresTimeouts, timedOut } from "./timeouts.js";

function postgresJsLocation(sql: Sql<any>): string {
  const o = (
    sql as { options?: { host?: unknown; port?: unknown; database?: unknown; path?: unknown } }
  ).options;
  if (!o) return "Postgres";
  const database = databaseLabel(String(o.database ?? ""));
  if (typeof o.path === "string" && o.path) return `Postgres at ${o.path}/${database}`;
  const hosts = Array.isArray(o.host) ? o.host : [o.host];
  const ports = Array.isArray(o.port) ? o.port : [o.port];
  const where = hosts
    .map((h, i) => `${String(h)}:${String(ports[i] ?? ports[0] ?? 5432)}`)
    .join(",");
  return `Postgres at ${where}/${database}`;
}

function postgresJsSecret(sql: Sql<any>): string | undefined {
  const pass = (sql as { options?: { pass?: unknown } }).options?.pass;
  return typeof pass === "string" ? pass : undefined;
}

// A query that was given up on must not run later. postgres.js's `cancel()`
// drops a query still waiting for a connection, but for one already sent it
// opens a connection to send a cancel request and drops that promise, which
// rejects (unhandled) when the server is down; so the canceller is called
// here, its result caught. A client without it is left as it is.
function cancelQuietly(query: unknown): void {
  const q = query as { canceller?: unknown };
  if (typeof q.canceller !== "function") return;
  const canceller = q.canceller as (q: unknown) => unknown;
  q.canceller = null;
  try {
    Promise.resolve(canceller(q)).catch(() => {});
  } catch {
    // Cancelling is best effort; the caller already has its error.
  }
}

// postgres.js keeps the error a dying backend sent ("terminating connection
// due to unexpected postmaster exit", 57P01) across the reconnect and hands
// it to the first query of the new connection, which never reached the
// server. That query is sent once more; one that did reach it never is.
const STALE_STATES = new Set(["57P01", "57P02"]);

function isStale(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && STALE_STATES.has(code);
}

function neverSent(query: object): boolean {
  return "state" in query && (query as { state: unknown }).state === null;
}

/**
 * The driver over a postgres.js client; `owned` when the saver opened the
 * pool (from a URL), so that `close()` closes it.
 *
 * @example
 * ```ts
 * const db = new PostgresJsDriver(postgres(url), false, resolveTimeouts(undefined));
 * ```
 */
export class PostgresJsDriver implements SqlDriver {
  readonly location: string;
  private readonly secret: string | undefined;
  private readonly waiting = new Set<{ query: object; giveUp: (error: unknown) => void }>();

  constructor(
    private readonly sql: Sql<any>,
    private readonly owned: boolean,
    private readonly timeouts: Required<PostgresTimeouts>,
    location?: string,
  ) {
    this.location = location ?? postgresJsLocation(sql);
    this.secret = postgresJsSecret(sql);
  }

  query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.run(this.sql, text, params);
  }

  exec(script: string): Promise<void> {
    return this.script(this.sql, script);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // Only migrations run in a transaction, and they are safe to run twice.
    for (let attempt = 0; ; attempt++) {
      const work = this.sql.begin((tx) =>
        fn({
          query: (text, params = []) => this.run(tx, text, params),
          exec: (script) => this.script(tx, script),
        }),
      ) as Promise<T>;
      try {
        return await this.bounded(work, undefined);
      } catch (err) {
        if (attempt === 0 && isStale(err)) continue;
        throw toSavepointError(err, this.location, this.secret);
      }
    }
  }

  async close(): Promise<void> {
    if (this.owned) await this.sql.end({ timeout: 5 });
  }

  private async run(
    sql: Sql<any> | TransactionSql<any>,
    text: string,
    params: readonly unknown[],
  ): Promise<Row[]> {
    for (let attempt = 0; ; attempt++) {
      const pending = sql.unsafe(text, params as any[], { prepare: true });
      try {
        return (await this.bounded(pending, pending)) as unknown as Row[];
      } catch (err) {
        if (attempt === 0 && isStale(err) && neverSent(pending)) continue;
        throw toSavepointError(err, this.location, this.secret);
      }
    }
  }

  private async script(sql: Sql<any> | TransactionSql<any>, script: string): Promise<void> {
    const pending = sql.unsafe(script);
    try {
      await this.bounded(pending, pending);
    } catch (err) {
      throw toSavepointError(err, this.location, this.secret);
    }
  }

  // Every call, with its timer. A call that finds the server unreachable
  // (refused, unknown host, connect timeout) fails the calls still waiting
  // for a connection at once: they would each wait out a reconnect backoff
  // only to fail the same way. They were never sent, and are cancelled.
  private bounded<T>(work: PromiseLike<T>, query: object | undefined): Promise<T> {
    const ms = this.timeouts.queryMs;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (entry) this.waiting.delete(entry);
        settle();
      };
      const giveUp = (error: unknown) =>
        finish(() => {
          if (query) cancelQuietly(query);
          reject(error);
        });
      const entry = query ? { query, giveUp } : undefined;
      if (entry) this.waiting.add(entry);
      if (Number.isFinite(ms)) {
        timer = setTimeout(() => giveUp(timedOut(this.location, "queryMs", ms)), ms);
        timer.unref?.();
      }
      work.then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => {
          finish(() => reject(error));
          if (isUnreachable(error)) {
            for (const other of [...this.waiting]) if (neverSent(other.query)) other.giveUp(error);
          }
        },
      );
    });
  }
}
