import { InvalidArgumentError, StorageUnavailableError } from "@savepoint/core";
import { type Cluster, Redis, type RedisOptions } from "ioredis";
import { describeClient, toSavepointError } from "./errors.js";
import type { ThreadKeys } from "./keys.js";
import type { Reply, Script } from "./scripts.js";
import { ACCEPTED_URLS, parseRedisUrl } from "./url.js";

/**
 * Where a saver reads and writes: an ioredis `Redis` or `Cluster` (left open
 * by the saver), or a `redis://` / `rediss://` URL (opened and closed by it).
 *
 * @example
 * ```ts
 * const source: RedisSource = process.env.REDIS_URL ?? new Redis();
 * ```
 */
export type RedisSource = Redis | Cluster | string;

/**
 * The timeouts of a client the saver opens from a URL; `redisOptions`
 * overrides each. An injected client keeps its own options.
 *
 * - `connectTimeout` 5 s: a connection attempt that gets no answer is dropped.
 * - `commandTimeout` 10 s: a command without a reply fails, even when the
 *   server hangs or the network drops packets. The saver's largest commands
 *   (a 10 MB value, a page of big checkpoints) take well under a second on a
 *   LAN; a Redis that has not answered in 10 s is not going to.
 * - `maxRetriesPerRequest` 4: a call waits through at most 4 reconnect
 *   attempts, 0.1, 0.2, 0.4 and 0.8 s apart (about 1.5 s when connections
 *   are refused), which rides out a failover or a restart of a second or
 *   so; then it fails, and the next call connects afresh.
 *
 * @example
 * ```ts
 * new RedisSaver(url, { redisOptions: { ...URL_CLIENT_DEFAULTS, commandTimeout: 30_000 } });
 * ```
 */
export const URL_CLIENT_DEFAULTS = Object.freeze({
  /** Milliseconds one connection attempt may take. */
  connectTimeout: 5_000,
  /** Milliseconds every call may wait for its reply. */
  commandTimeout: 10_000,
  /** Reconnect attempts a call waits through before it fails. */
  maxRetriesPerRequest: 4,
});

/**
 * Milliseconds before reconnect attempt `attempt` (1, 2, ...) of an outage,
 * while a call waits: 100, 200, 400, 800, then 1000.
 *
 * @example
 * ```ts
 * reconnectDelay(1); // 100
 * ```
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** (attempt - 1), 1_000);
}

/**
 * The saver's client, and every call through it: what ioredis throws comes
 * out as core's typed errors, naming where the saver connects and (for a
 * client it opened) the last socket error, never a password.
 *
 * A client opened from a URL is the saver's own: it connects on the first
 * call, reconnects only while a call waits for it (see
 * {@link URL_CLIENT_DEFAULTS}), and holds the process open only while a call
 * is in flight, so a script that never calls `close()` still exits when it
 * is done. An injected client is used as it is.
 *
 * @example
 * ```ts
 * const connection = new Connection("redis://127.0.0.1:6379");
 * await connection.call("getTuple", () => connection.client.ping());
 * await connection.close();
 * ```
 */
export class Connection {
  /** The ioredis client in use (injected, or opened from the URL). */
  readonly client: Redis | Cluster;
  private readonly owned: boolean;
  private readonly where: string;
  private readonly secrets: readonly string[];
  private lastConnectionError: Error | undefined;
  /** Calls in flight (an owned client's socket is referenced while there are any). */
  private busy = 0;
  /** Reconnect attempts of the current outage. */
  private attempts = 0;
  private closed = false;

  constructor(source: RedisSource, redisOptions: RedisOptions = {}) {
    if (typeof source === "string") {
      // Redacted and parsed before anything else sees the string (see url.ts).
      const url = parseRedisUrl(source);
      this.secrets = url.secrets;
      this.client = this.open(url.options, redisOptions);
      this.owned = true;
    } else if (source && typeof (source as Redis).evalsha === "function") {
      this.client = source;
      this.secrets = [];
      this.owned = false;
    } else {
      throw new InvalidArgumentError(
        `RedisSaver needs an ioredis Redis or Cluster client, or a URL: ${ACCEPTED_URLS}.`,
      );
    }
    this.where = describeClient(this.client);
  }

  /** Runs `fn` (one or more commands of `operation`), its errors as Savepoint errors. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.owned && this.closed) {
      throw new StorageUnavailableError(
        `${this.where} is closed: ${operation} was called after close(). Make a new RedisSaver.`,
      );
    }
    this.enter();
    try {
      return await fn();
    } catch (err) {
      throw toSavepointError(err, this.where, operation, this.lastConnectionError, this.secrets);
    } finally {
      this.leave();
    }
  }

  /** Runs a thread script on the thread's keys (`all`: those and more, keys.all first). */
  run(
    operation: string,
    script: Script,
    keys: ThreadKeys,
    args: readonly (string | Buffer)[],
    all: readonly string[] = keys.all,
  ): Promise<Reply> {
    return this.call(operation, () => script.run(this.client, all, args));
  }

  /** Closes the client if it was opened from a URL; an injected client is left open. */
  async close(): Promise<void> {
    if (!this.owned) return;
    this.closed = true;
    const client = this.client;
    if (client.status === "end") return;
    if (client.status !== "ready") {
      client.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
    // Awaiting QUIT's reply is a call in flight: the socket holds the process until it ends.
    this.busy++;
    this.hold();
    try {
      await client.quit();
    } catch {
      client.disconnect();
    } finally {
      this.busy--;
    }
    await ended;
  }

  // The URL's host, port, credentials and db win over redisOptions, as they
  // do in `new Redis(url, options)`; the saver's timeouts are defaults.
  private open(fromUrl: RedisOptions, options: RedisOptions): Redis {
    const retries =
      options.maxRetriesPerRequest === undefined
        ? URL_CLIENT_DEFAULTS.maxRetriesPerRequest
        : options.maxRetriesPerRequest;
    const strategy = options.retryStrategy;
    const client = new Redis({
      connectTimeout: URL_CLIENT_DEFAULTS.connectTimeout,
      commandTimeout: URL_CLIENT_DEFAULTS.commandTimeout,
      lazyConnect: true,
      ...options,
      ...fromUrl,
      tls: fromUrl.tls && options.tls ? options.tls : (fromUrl.tls ?? options.tls),
      maxRetriesPerRequest: retries,
      // Reconnect only while a call waits, at most `retries` times per
      // outage: then the client ends, what waits fails, and the next call
      // connects afresh. Idle, it ends at once, so it never holds the process.
      retryStrategy: (times) => {
        if (this.busy === 0 || this.closed) return null;
        this.attempts++;
        if (retries !== null && this.attempts > retries) return null;
        return strategy ? strategy(times) : reconnectDelay(this.attempts);
      },
    });
    // Keeps the socket error (ECONNREFUSED...) for the message of the command
    // that fails because of it, and stops ioredis logging it as unhandled.
    client.on("error", (err: Error) => {
      this.lastConnectionError = err;
    });
    client.on("connect", () => this.hold());
    client.on("ready", () => {
      this.lastConnectionError = undefined;
      this.attempts = 0;
      this.hold();
    });
    return client;
  }

  private enter(): void {
    if (!this.owned) return;
    const client = this.client as Redis;
    // Ended while idle, or after giving up on an outage: this call reconnects.
    if (client.status === "end") {
      this.attempts = 0;
      client.connect().catch(() => {});
    }
    if (this.busy++ === 0) this.hold();
  }

  private leave(): void {
    if (this.owned && --this.busy === 0) this.hold();
  }

  // The socket keeps the process alive only while a call is in flight.
  private hold(): void {
    const stream = (this.client as Redis).stream;
    if (!stream) return;
    if (this.busy > 0) stream.ref();
    else stream.unref();
  }
}
