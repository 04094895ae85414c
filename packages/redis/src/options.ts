import { InvalidArgumentError, quote, type SerializerProtocol } from "@savepoint/core";
import type { RedisOptions } from "ioredis";

/**
 * Expiry of idle threads.
 *
 * @example
 * ```ts
 * new RedisSaver(url, { ttl: { seconds: 7 * 24 * 3600, refreshOnRead: true } });
 * ```
 */
export interface RedisSaverTtl {
  /** Seconds after its last write (or read, with `refreshOnRead`) that a thread's keys expire, all together. */
  seconds: number;
  /** Also push the expiry back when the thread is read (`getTuple`, `list`). Default false. */
  refreshOnRead?: boolean;
}

/**
 * Options of {@link RedisSaver}.
 *
 * @example
 * ```ts
 * new RedisSaver("redis://127.0.0.1:6379", { prefix: "myapp", ttl: { seconds: 86_400 } });
 * ```
 */
export interface RedisSaverOptions {
  /** Start of every key the saver writes; no `{` or `}`. Default `"savepoint"`. */
  prefix?: string;
  /** Serializer of checkpoints, metadata and writes. Default: core's `defaultSerializer`. */
  serde?: SerializerProtocol;
  /** Expire a thread's keys (all of them together) after this long without a write. Default: never. */
  ttl?: RedisSaverTtl;
  /**
   * ioredis options for the client the saver opens from a URL (ignored for an
   * injected client). The saver's defaults bound how long a call can wait
   * (see `URL_CLIENT_DEFAULTS`): `connectTimeout` 5 s, `commandTimeout` 10 s,
   * and `maxRetriesPerRequest` 4 reconnect attempts (about 1.5 s against a
   * server that refuses connections); then the call fails with
   * `StorageUnavailableError`. Each can be overridden here.
   */
  redisOptions?: RedisOptions;
}

/**
 * The ttl arguments of the scripts, in milliseconds ("0": none): of a write,
 * and of a read (with `refreshOnRead` only). A ttl that is not a positive
 * number of seconds is an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * ttlArguments({ seconds: 2, refreshOnRead: true }); // ["2000", "2000"]
 * ```
 */
export function ttlArguments(ttl: RedisSaverTtl | undefined): [write: string, read: string] {
  if (ttl !== undefined && !(Number.isFinite(ttl.seconds) && ttl.seconds > 0)) {
    throw new InvalidArgumentError(
      `RedisSaver ttl.seconds must be a positive number of seconds, got ${quote(ttl.seconds)}.`,
    );
  }
  const write = ttl ? String(Math.max(1, Math.round(ttl.seconds * 1000))) : "0";
  return [write, ttl?.refreshOnRead ? write : "0"];
}
