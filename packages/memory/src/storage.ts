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
  readonly blobs: Map<string, StoredBlob>;
}

/**
 * A list channel's version stored as the elements after the first `offset`
 * of version `base` of the same channel (saver-kit/list-chains.ts): `tail`
 * is their JSON text. Always written with Savepoint's serializer.
 */
export interface StoredTail {
  readonly tail: string;
  readonly base: string;
  readonly offset: number;
}

/** One stored channel value: a value, a list tail, or `null` for an emptied channel. */
export type StoredBlob = Encoded | StoredTail | null;

/** True for a stored list tail. */
export function isTail(blob: StoredBlob | undefined): blob is StoredTail {
  return typeof blob === "object" && blob !== null && !Array.isArray(blob);
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
 * One thread's namespaces by name. Nearly every thread has only the root
 * namespace (""), kept in a field: a Map per thread would be most of what
 * an idle thread costs the collector.
 */
export class ThreadSpaces {
  // The root namespace while it is the only one; then every namespace is in
  // `all`, in the order first set, as a Map iterates.
  private root: Namespace | undefined;
  private all: Map<string, Namespace> | undefined;

  get(ns: string): Namespace | undefined {
    if (this.all) return this.all.get(ns);
    return ns === "" ? this.root : undefined;
  }

  set(ns: string, space: Namespace): void {
    if (!this.all) {
      if (ns === "") {
        this.root = space;
        return;
      }
      this.all = new Map();
      if (this.root) this.all.set("", this.root);
      this.root = undefined;
    }
    this.all.set(ns, space);
  }

  *[Symbol.iterator](): IterableIterator<[ns: string, space: Namespace]> {
    if (this.all) yield* this.all;
    else if (this.root) yield ["", this.root];
  }

  *values(): IterableIterator<Namespace> {
    for (const [, space] of this) yield space;
  }
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
  readonly threads = new Map<string, ThreadSpaces>();
  /** @internal thread id → the thread's record (the `threads` capability) */
  readonly records = new Map<string, StoredThreadRecord>();
  /**
   * @internal thread id → when it was last written (`Date.now()`), the idle
   * clock a `ttl` reads. Absent for a thread that expiry pruned to its latest
   * checkpoint: it stays until its next write sets the clock again.
   */
  readonly lastWrite = new Map<string, number>();
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

/** The namespace `ns` of a thread, created (with its thread) when asked to. */
export function namespaceIn(
  threads: Map<string, ThreadSpaces>,
  threadId: string,
  ns: string,
  create: true,
): Namespace;
export function namespaceIn(
  threads: Map<string, ThreadSpaces>,
  threadId: string,
  ns: string,
  create: false,
): Namespace | undefined;
export function namespaceIn(
  threads: Map<string, ThreadSpaces>,
  threadId: string,
  ns: string,
  create: boolean,
): Namespace | undefined {
  let thread = threads.get(threadId);
  if (!thread) {
    if (!create) return undefined;
    thread = new ThreadSpaces();
    threads.set(threadId, thread);
  }
  let space = thread.get(ns);
  if (!space && create) {
    space = { ids: [], checkpoints: new Map(), writes: new Map(), blobs: new Map() };
    thread.set(ns, space);
  }
  return space;
}

/** One namespace a listing reads: its thread id, its name, its data. */
export type ListedSpace = [threadId: string, ns: string, space: Namespace];

/**
 * The checkpoints of `sources` with ids below `before`, newest first across
 * all of them: a k-way merge over each namespace's sorted ids, so a listing
 * that stops early costs only what it read.
 */
export function* newestFirst(
  sources: readonly ListedSpace[],
  before: string | undefined,
): Generator<[ListedSpace, StoredCheckpoint]> {
  const cursors = sources.map((source) => {
    const ids = source[2].ids;
    return { source, ids, i: before === undefined ? ids.length - 1 : lowerBound(ids, before) - 1 };
  });
  for (;;) {
    let best: (typeof cursors)[number] | undefined;
    for (const c of cursors) {
      // A prune between two reads shortens the ids in place.
      if (c.i >= c.ids.length) c.i = c.ids.length - 1;
      if (c.i >= 0 && (!best || c.ids[c.i]! > best.ids[best.i]!)) best = c;
    }
    if (!best) return;
    const stored = best.source[2].checkpoints.get(best.ids[best.i]!);
    best.i--;
    if (stored) yield [best.source, stored];
  }
}
