// What a PostgresSaver is configured with.
import type { SerializerProtocol, ThreadTtl } from "@savepoint/core";
import type { PostgresTimeouts } from "./timeouts.js";

/**
 * Options of `PostgresSaver`.
 *
 * @example
 * ```ts
 * const options: PostgresSaverOptions = { schema: "workflows" };
 * ```
 */
export interface PostgresSaverOptions {
  /** The schema the tables live in; created by `setup()`. Default `"savepoint"`. */
  schema?: string;
  /** How values are stored. Default: core's `defaultSerializer`. */
  serde?: SerializerProtocol;
  /**
   * How long to wait on a Postgres server before failing with
   * `StorageUnavailableError` (connect, each call, idle connections of an
   * owned pool). Defaults: `{ connectMs: 10_000, queryMs: 30_000, idleMs: 1_000 }`.
   */
  timeouts?: PostgresTimeouts;
  /**
   * When idle threads expire (see the README's "Retention"): `sweep()`
   * expires those idle longer than `ttl.idle` since their last write, on the
   * database's clock. Default: none expire.
   */
  ttl?: ThreadTtl;
  /**
   * How many list tails a channel's chain holds before a put stores the
   * list whole again (default 64). A list channel that grows by appends (a
   * chat's messages) is stored as each version's new elements only; a read
   * follows at most this many links. 0 stores every version whole.
   */
  listChainLimit?: number;
}
