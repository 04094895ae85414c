// What a MemorySaver is configured with.
import type { SerializerProtocol, ThreadTtl } from "@savepoint/core";
import type { MemoryStorage } from "./storage.js";

/**
 * Options of `MemorySaver`.
 *
 * @example
 * ```ts
 * new MemorySaver({ serde: new SavepointSerializer() });
 * ```
 */
export interface MemorySaverOptions {
  /** How values are encoded (default: Savepoint's serializer). */
  serde?: SerializerProtocol;
  /** Storage to share with other savers, as processes share a database (default: a new one). */
  storage?: MemoryStorage;
  /**
   * When idle threads expire (default: never). A thread's idle time runs
   * from its last write; it expires lazily, when a read or listing meets it,
   * and in bulk with `sweep()`.
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
