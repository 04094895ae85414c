// What MemorySaver keeps, and the sorted-id helpers it reads and writes it
// with. MemoryStorage is the part two savers can share, as two processes
// share a database.
import type { StoredThreadStatus, TypedValue } from "@savepoint/core";

// A value as stored: its serializer's [type, data], or just the JSON text
// when Savepoint's serializer wrote it (the common case, kept small: a
// process holding many threads pays for every byte of them in GC time).
// Storing encoded values (not references) gives memory the same semantics as
// a database: what you read is a copy, and a value that cannot be saved fails
// at write time.
export type Encoded = TypedValue | string;

export interface StoredCheckpoint {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly checkpoint: Encoded;
  readonly metadata: Encoded;
}

export interface StoredWrite {
  readonly taskId: string;
  readonly taskPath: string;
  readonly idx: number;
  readonly channel: string;
  readonly value: Encoded;
  /** A special-channel write, which replaces the one stored at its index. */
  readonly replaces: boolean;
}

export interface Namespace {
  /** Checkpoint ids in ascending order: the last one is the head. */
  readonly ids: string[];
  readonly checkpoints: Map<string, StoredCheckpoint>;
  readonly writes: Map<string, Map<string, StoredWrite>>;
  /** Channel values by (channel, version); `null` records an emptied channel. */
  readonly blobs: Map<string, Encoded | null>;
}

/** One thread's record as memory keeps it. */
export interface StoredThreadRecord {
  readonly threadId: string;
  entrypoint: string;
  status: StoredThreadStatus;
  /** The interrupts it waits on, encoded like every stored value. */
  interrupts: Encoded | undefined;
  /** Its runs' metadata, merged (a copy: the caller's object is never kept). */
  metadata: Record<string, unknown>;
  readonly createdAt: number;
  updatedAt: number;
  checkpointId: string;
  owner: string | undefined;
  leaseUntil: number | undefined;
}

/**
 * The data behind one or more {@link MemorySaver}s. Two savers given the same
 * storage see each other's checkpoints, like two processes on one database;
 * the conformance suite uses this to test a restart.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage();
 * const a = new MemorySaver({ storage });
 * const b = new MemorySaver({ storage }); // reads what a wrote
 * ```
 */
export class MemoryStorage {
  /** @internal thread id → namespace → data */
  readonly threads = new Map<string, Map<string, Namespace>>();
  /** @internal thread id → the thread's record (the `threads` capability) */
  readonly records = new Map<string, StoredThreadRecord>();
}

/** The index of the first id >= `id` in ascending `ids`. */
export function lowerBound(ids: string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function insertSorted(ids: string[], id: string): boolean {
  // Ids are time-ordered, so a new one almost always goes at the end.
  if (ids.length === 0 || ids[ids.length - 1]! < id) {
    ids.push(id);
    return true;
  }
  const lo = lowerBound(ids, id);
  if (ids[lo] === id) return false;
  ids.splice(lo, 0, id);
  return true;
}
