import {
  InvalidArgumentError,
  quote,
  type ResolvedTtl,
  resolveTtl,
  type SerializerProtocol,
  type ThreadTtl,
} from "@savepoint/core";
import type { RedisOptions } from "ioredis";

/**
 * The older spelling of a thread TTL, still accepted: the same as
 * `{ idle: seconds * 1000, onExpire: "delete", refreshOnRead }`.
 *
 * @example
 * ```ts
 * new RedisSaver(url, { ttl: { seconds: 7 * 24 * 3600, refreshOnRead: true } });
 * // the same as { ttl: { idle: "7d", refreshOnRead: true } }
 * ```
 */
export interface RedisSaverTtl {
  /** Seconds after its last write (or read, with `refreshOnRead`) that a thread expires. */
  seconds: number;
  /** Also restart the idle clock when the thread is read (`getTuple`, `list`). Default false. */
  refreshOnRead?: boolean;
}

/**
 * Options of {@link RedisSaver}.
 *
 * @example
 * ```ts
 * new RedisSaver("redis://127.0.0.1:6379", { prefix: "myapp", ttl: { idle: "30d" } });
 * ```
 */
export interface RedisSaverOptions {
  /** Start of every key the saver writes; no `{` or `}`. Default `"savepoint"`. */
  prefix?: string;
  /** Serializer of checkpoints, metadata and writes. Default: core's `defaultSerializer`. */
  serde?: SerializerProtocol;
  /**
   * How many list tails a channel's chain holds before a put stores the
   * list whole again (default 64). A list channel that grows by appends (a
   * chat's messages) is stored as each version's new elements only; a read
   * follows at most this many links. 0 stores every version whole.
   */
  listChainLimit?: number;
  /**
   * Expire threads idle this long (core's `ThreadTtl`; `{ seconds }` is the
   * older spelling). With `onExpire: "delete"` (the default) the thread's
   * keys expire by themselves, all together; `sweep()` expires the same
   * threads on demand and cleans the indexes of those Redis already removed.
   * With `"keep-latest"` keys never expire and `sweep()` prunes. Default: never.
   */
  ttl?: ThreadTtl | RedisSaverTtl;
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
 * The saver's `ttl` option checked (core's `resolveTtl`), the older
 * `{ seconds, refreshOnRead }` spelling mapped onto it; `undefined` for none.
 * A bad ttl is an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * resolveRedisTtl({ seconds: 2 }); // { idleMs: 2000, onExpire: "delete", includeInterrupted: false, refreshOnRead: false }
 * ```
 */
export function resolveRedisTtl(
  ttl: ThreadTtl | RedisSaverTtl | undefined,
): ResolvedTtl | undefined {
  if (ttl !== null && typeof ttl === "object" && "seconds" in ttl) {
    if ("idle" in ttl) {
      throw new InvalidArgumentError(
        `RedisSaver ttl takes either { idle } or the older { seconds }, not both; got ${quote(ttl)}.`,
      );
    }
    if (!(Number.isFinite(ttl.seconds) && ttl.seconds > 0)) {
      throw new InvalidArgumentError(
        `RedisSaver ttl.seconds must be a positive number of seconds, got ${quote(ttl.seconds)}.`,
      );
    }
    const idle = Math.max(1, Math.round(ttl.seconds * 1000));
    return resolveTtl(
      { idle, onExpire: "delete", refreshOnRead: ttl.refreshOnRead ?? false },
      "RedisSaver",
    );
  }
  return resolveTtl(ttl as ThreadTtl | undefined, "RedisSaver");
}

/**
 * The retention argument of the scripts (see `TOUCH` in retention-lua.ts):
 * `"0"` for none, else `"expiry,track,spare"` — key expiry in ms (0 with
 * `"keep-latest"`: keys never expire), how the idle clock is kept (1: the
 * thread record's `w` field; 2: that and, on one Redis, the idle set and
 * workflows hash passed as the script's last two keys), and 1 when a thread
 * waiting on an interrupt is spared. One for writes, one for reads (`"0"`
 * unless `refreshOnRead`; reads never take the idle set's keys).
 *
 * @example
 * ```ts
 * retentionArguments(resolveRedisTtl({ idle: 2000 }), true); // { write: "2000,2,1", read: "0" }
 * ```
 */
export function retentionArguments(
  ttl: ResolvedTtl | undefined,
  inline: boolean,
): { write: string; read: string } {
  if (!ttl) return { write: "0", read: "0" };
  const expiry = ttl.onExpire === "delete" ? Math.max(1, Math.round(ttl.idleMs)) : 0;
  const spare = ttl.includeInterrupted ? "0" : "1";
  return {
    write: `${expiry},${inline ? 2 : 1},${spare}`,
    read: ttl.refreshOnRead ? `${expiry},1,${spare}` : "0",
  };
}
