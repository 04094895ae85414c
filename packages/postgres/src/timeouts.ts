// How long the saver waits on a Postgres server. Without bounds, a dead
// server makes a run hang: postgres.js queues every query and retries the
// connection with a backoff that grows to 20 s, so queued task writes took
// about a minute to fail and a read gave no answer at all. Every wait is
// bounded here, and a bound that runs out is a StorageUnavailableError.
import { InvalidArgumentError, quote, StorageUnavailableError } from "@savepoint/core";

/**
 * How long the saver waits on a Postgres server, in milliseconds. PGlite runs
 * inside the process, where nothing waits on a network, so these apply to
 * servers only (a URL or an injected postgres.js client).
 *
 * @example
 * ```ts
 * new PostgresSaver(url, { timeouts: { connectMs: 5_000, queryMs: 10_000 } });
 * ```
 */
export interface PostgresTimeouts {
  /**
   * One attempt to connect (TCP, TLS, authentication) to the server, for a
   * pool the saver opens from a URL. Default 10 s.
   */
  connectMs?: number;
  /**
   * One storage call, from the moment it is made: waiting for a connection,
   * sending, and the answer. Bounds every query, so every pending task write
   * and every read. Default 30 s; `Infinity` waits for ever.
   */
  queryMs?: number;
  /**
   * How long a connection of a pool the saver opened may sit idle before it
   * is closed (it is opened again on the next call). This is what lets a
   * finished script exit without `close()`. Default 1 s; `Infinity` keeps
   * idle connections open until `close()`.
   */
  idleMs?: number;
}

/**
 * The defaults, with their reasons:
 * - `connectMs` 10 s: a reachable server, TLS and password check included,
 *   answers in milliseconds; 10 s still allows a cold start or a slow DNS,
 *   and is a third of postgres.js's own 30 s.
 * - `queryMs` 30 s: the saver's statements are single-row or single-page
 *   (a 10 MB value or 10,000 writes take well under a second), so 30 s is a
 *   server that is not answering, not a slow query, while a loaded server
 *   or a short lock wait keeps ample room.
 * - `idleMs` 1 s: long enough that a running workflow reuses its
 *   connections between steps, short enough that a script ends about a
 *   second after its last call.
 *
 * @example
 * ```ts
 * DEFAULT_TIMEOUTS.queryMs; // 30_000
 * ```
 */
export const DEFAULT_TIMEOUTS: Readonly<Required<PostgresTimeouts>> = Object.freeze({
  connectMs: 10_000,
  queryMs: 30_000,
  idleMs: 1_000,
});

/**
 * The timeouts to use: the defaults with `given` over them, each checked
 * (a positive number of milliseconds, or `Infinity`).
 *
 * @example
 * ```ts
 * resolveTimeouts({ queryMs: 5_000 }); // { connectMs: 10_000, queryMs: 5_000, idleMs: 1_000 }
 * ```
 */
export function resolveTimeouts(given: PostgresTimeouts | undefined): Required<PostgresTimeouts> {
  if (given !== undefined && (typeof given !== "object" || given === null)) {
    throw new InvalidArgumentError(
      `PostgresSaver: options.timeouts must be an object like { connectMs, queryMs, idleMs }, got ${quote(given)}.`,
    );
  }
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(DEFAULT_TIMEOUTS) as (keyof PostgresTimeouts)[]) {
    const value = given?.[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0)) {
      throw new InvalidArgumentError(
        `PostgresSaver: options.timeouts.${key} must be a positive number of milliseconds ` +
          `(or Infinity), got ${quote(value)}.`,
      );
    }
    out[key] = value;
  }
  return out;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * The error of a wait that ran out: the database is not answering.
 *
 * @example
 * ```ts
 * throw timedOut("Postgres at db:5432/app", "queryMs", 30_000);
 * ```
 */
export function timedOut(
  location: string,
  bound: keyof PostgresTimeouts,
  ms: number,
): StorageUnavailableError {
  return new StorageUnavailableError(
    `${location} did not answer within ${seconds(ms)} (timeouts.${bound}): the server is down, ` +
      "unreachable or overloaded. Check that the database is running and that the connection " +
      "settings are right; the saver reconnects on the next call.",
  );
}

/**
 * The postgres.js options of a pool the saver opens, from the timeouts
 * (postgres.js counts in seconds). The reconnect backoff is capped at 1 s
 * (postgres.js's own grows to 20 s, which a query waiting on a restarted
 * server would sit out). Array types are not fetched: the saver reads no
 * arrays, and that extra query on every new connection, when the server
 * dies under it, rejects where nobody can catch it.
 *
 * @example
 * ```ts
 * postgres(url, { onnotice: () => {}, ...ownedPoolOptions(resolveTimeouts(undefined)) });
 * ```
 */
export function ownedPoolOptions(timeouts: Required<PostgresTimeouts>): {
  connect_timeout: number | undefined;
  idle_timeout: number | undefined;
  backoff: (retries: number) => number;
  fetch_types: false;
} {
  const toSeconds = (ms: number) => (Number.isFinite(ms) ? ms / 1000 : undefined);
  return {
    connect_timeout: toSeconds(timeouts.connectMs),
    idle_timeout: toSeconds(timeouts.idleMs),
    backoff: (retries) => Math.min(0.05 * 2 ** retries, 1),
    fetch_types: false,
  };
}
