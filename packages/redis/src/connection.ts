import { InvalidArgumentError } from "@savepoint/core";
import { type Cluster, Redis, type RedisOptions } from "ioredis";
import { describeClient, redactUrl, toSavepointError } from "./errors.js";
import type { ThreadKeys } from "./keys.js";
import type { Reply, Script } from "./scripts.js";

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
 * The saver's client, and every call through it: what ioredis throws comes
 * out as core's typed errors, naming where the saver connects and (for a
 * client it opened) the last socket error.
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
  private lastConnectionError: Error | undefined;

  constructor(source: RedisSource, redisOptions: RedisOptions = {}) {
    if (typeof source === "string") {
      if (!/^rediss?:\/\//.test(source)) {
        throw new InvalidArgumentError(
          `RedisSaver needs an ioredis client or a redis:// or rediss:// URL, got "${redactUrl(source)}".`,
        );
      }
      const client = new Redis(source, redisOptions);
      // Keeps the socket error (ECONNREFUSED...) for the message of the command
      // that fails because of it, and stops ioredis logging it as unhandled.
      client.on("error", (err: Error) => {
        this.lastConnectionError = err;
      });
      client.on("ready", () => {
        this.lastConnectionError = undefined;
      });
      this.client = client;
      this.owned = true;
    } else if (source && typeof (source as Redis).evalsha === "function") {
      this.client = source;
      this.owned = false;
    } else {
      throw new InvalidArgumentError(
        "RedisSaver needs an ioredis Redis or Cluster client, or a redis:// or rediss:// URL.",
      );
    }
    this.where = describeClient(this.client);
  }

  /** Runs `fn` (one or more commands of `operation`), its errors as Savepoint errors. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toSavepointError(err, this.where, operation, this.lastConnectionError);
    }
  }

  /** Runs a thread script on the thread's keys. */
  run(
    operation: string,
    script: Script,
    keys: ThreadKeys,
    args: readonly (string | Buffer)[],
  ): Promise<Reply> {
    return this.call(operation, () => script.run(this.client, keys.all, args));
  }

  /** Closes the client if it was opened from a URL; an injected client is left open. */
  async close(): Promise<void> {
    if (!this.owned) return;
    const client = this.client;
    if (client.status === "end") return;
    if (client.status !== "ready") {
      client.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
    await ended;
  }
}
