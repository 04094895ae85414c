import { matchesMetadataFilter } from "@savepoint/core";
import type { Connection } from "./connection.js";
import { SEP, SEP_END, type ThreadKeys, toHex } from "./keys.js";
import { SCRIPTS } from "./scripts.js";

// How `list` walks checkpoints newest first. Each thread is a cursor over one
// of its sorted sets, read in pages by the list script; a query on one thread
// reads one cursor, a query across threads merges the cursors of every thread
// in the thread index by checkpoint id (a k-way merge on a heap), so the
// result is newest first over all threads without any global index that a
// write would have to keep up to date.

// Entries per page when listing one thread.
const PAGE = 100;
// First page per thread when merging threads (every thread's newest entries
// are needed before the first can be yielded; small pages keep that cheap),
// and how many threads are read at once.
const MERGE_PAGE = 10;
const FILL_CONCURRENCY = 64;

/** What one `list` call asks for, shared by all the cursors of the call. */
export interface ListQuery {
  ns: string | undefined;
  checkpointId: string | undefined;
  beforeId: string | undefined;
  filter: Record<string, unknown> | undefined;
  /** Tuples still to yield (the limit, counted down). */
  remaining: number;
}

/** ZREVRANGEBYLEX bounds of a query on one thread, and which sorted set they range over. */
export interface ListRange {
  mode: "ns" | "all";
  max: string;
  min: string;
}

/** One checkpoint as a page of the list script returns it. */
export interface ListEntry {
  /** Member of the sorted set ranged over: the cursor's position. */
  indexMember: string;
  /** `nsHex!cidHex`. */
  member: string;
  /** Hex of the checkpoint id: the merge order. */
  idHex: string;
  metadata: Buffer;
  /** Empty until fetched (filtered pages fetch bodies of matches only). */
  checkpoint: Buffer;
  /** Write fields and records, alternating. */
  writes: Buffer[];
  /** The channel value records the checkpoint record lists (null: none stored). */
  blobs: (Buffer | null)[];
}

/**
 * The bounds of a query on one thread, or undefined when nothing can match.
 * With a namespace the range is over `ns!cid` members; without, over `cid!ns`
 * members, which order the whole thread by checkpoint id.
 *
 * @example
 * ```ts
 * listRange({ ns: "", checkpointId: undefined, beforeId: undefined, filter: undefined, remaining: 10 });
 * // { mode: "ns", max: '("', min: "[!" }
 * ```
 */
export function listRange(query: ListQuery): ListRange | undefined {
  const id = query.checkpointId === undefined ? undefined : toHex(query.checkpointId);
  const before = query.beforeId === undefined ? undefined : toHex(query.beforeId);
  if (id !== undefined && before !== undefined && !(id < before)) return undefined;
  if (query.ns !== undefined) {
    const ns = toHex(query.ns);
    if (id !== undefined) return { mode: "ns", max: `[${ns}${SEP}${id}`, min: `[${ns}${SEP}${id}` };
    return {
      mode: "ns",
      max: before !== undefined ? `(${ns}${SEP}${before}` : `(${ns}${SEP_END}`,
      min: `[${ns}${SEP}`,
    };
  }
  if (id !== undefined) return { mode: "all", max: `(${id}${SEP_END}`, min: `[${id}${SEP}` };
  return { mode: "all", max: before !== undefined ? `(${before}${SEP}` : "+", min: "-" };
}

/**
 * How a listing reads a thread: `read` returns up to `count` entries below
 * `max`, bodies included or not; `keep` keeps the entries of a metadata-only
 * page of thread `threadId` that pass the filter (at most `budget`), with
 * their bodies fetched.
 */
export interface PageSource {
  read(
    keys: ThreadKeys,
    range: ListRange,
    max: string,
    count: number,
    withBodies: boolean,
  ): Promise<ListEntry[]>;
  keep(
    keys: ThreadKeys,
    threadId: string,
    entries: ListEntry[],
    budget: number,
  ): Promise<ListEntry[]>;
}

/** An entry's metadata, decoded (damage named as the saver names it). */
export type MetadataReader = (
  threadId: string,
  entry: ListEntry,
) => Promise<Record<string, unknown>>;

/**
 * The pages of one `list` call, read with the list and fetch scripts and
 * filtered on metadata decoded by `metadataOf`; `readTtl` is the ttl
 * argument of a read.
 *
 * @example
 * ```ts
 * const pages = scriptPages(connection, query, "0", (threadId, entry) => decode(threadId, entry));
 * ```
 */
export function scriptPages(
  connection: Connection,
  query: ListQuery,
  readTtl: string,
  metadataOf: MetadataReader,
): PageSource {
  return {
    async read(keys, range, max, count, withBodies) {
      const page = (await connection.run("list", SCRIPTS.list, keys, [
        range.mode,
        max,
        range.min,
        String(count),
        withBodies ? "1" : "0",
        readTtl,
      ])) as Buffer[][];
      return page.map(([indexMember, member, metadata, checkpoint, writes, blobs]) => {
        const m = member!.toString();
        return {
          indexMember: indexMember!.toString(),
          member: m,
          idHex: m.slice(m.indexOf(SEP) + 1),
          metadata: metadata!,
          checkpoint: checkpoint!,
          writes: writes as unknown as Buffer[],
          blobs: blobs as unknown as (Buffer | null)[],
        };
      });
    },
    async keep(keys, threadId, entries, budget) {
      const matched: ListEntry[] = [];
      for (const entry of entries) {
        if (matched.length >= budget) break;
        if (matchesMetadataFilter(await metadataOf(threadId, entry), query.filter)) {
          matched.push(entry);
        }
      }
      if (matched.length === 0) return matched;
      const members = matched.map((e) => e.member);
      const bodies = (await connection.run("list", SCRIPTS.fetch, keys, members)) as Buffer[][];
      matched.forEach((entry, i) => {
        entry.checkpoint = bodies[i]![0]!;
        entry.writes = bodies[i]![1] as unknown as Buffer[];
        entry.blobs = bodies[i]![2] as unknown as (Buffer | null)[];
      });
      return matched;
    },
  };
}

/**
 * A position in one thread's checkpoints, newest first, refilled a page at a
 * time. With a filter, each page is read as metadata only, filtered, and the
 * bodies of the matches fetched in one more call.
 *
 * @example
 * ```ts
 * const cursor = new ThreadCursor("t", keys, range);
 * await cursor.fill(query, pages, 10);
 * cursor.head()?.idHex;
 * ```
 */
export class ThreadCursor {
  /** Raw entries seen, before filtering: 0 after a full walk means the range is empty. */
  seen = 0;
  private buffer: ListEntry[] = [];
  private pos = 0;
  private done = false;
  private max: string;

  constructor(
    readonly threadId: string,
    readonly keys: ThreadKeys,
    private readonly range: ListRange,
  ) {
    this.max = range.max;
  }

  /** The next entry, without taking it. */
  head(): ListEntry | undefined {
    return this.buffer[this.pos];
  }

  /** Takes the next entry. */
  take(): ListEntry | undefined {
    return this.buffer[this.pos++];
  }

  /** True when the buffer is used up but the thread may hold more. */
  needsFill(): boolean {
    return this.pos >= this.buffer.length && !this.done;
  }

  /** Reads pages until one leaves an entry to yield, or the range is exhausted. */
  async fill(query: ListQuery, pages: PageSource, pageSize: number): Promise<void> {
    while (this.needsFill() && query.remaining > 0) {
      const withBodies = query.filter === undefined;
      const count = withBodies ? Math.max(1, Math.min(query.remaining, pageSize)) : pageSize;
      const page = await pages.read(this.keys, this.range, this.max, count, withBodies);
      this.seen += page.length;
      if (page.length < count) this.done = true;
      else this.max = `(${page[page.length - 1]!.indexMember}`;
      this.buffer = withBodies
        ? page
        : await pages.keep(this.keys, this.threadId, page, query.remaining);
      this.pos = 0;
    }
  }
}

/**
 * A max-heap of cursors by their head's checkpoint id (then thread, for a
 * stable order between equal ids of different threads).
 *
 * @example
 * ```ts
 * const heap = new CursorHeap();
 * heap.push(cursor);
 * heap.pop(); // the cursor whose next checkpoint is the newest
 * ```
 */
export class CursorHeap {
  private readonly items: ThreadCursor[] = [];

  get size(): number {
    return this.items.length;
  }

  push(cursor: ThreadCursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): ThreadCursor | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && before(items[l]!, items[best]!)) best = l;
        if (r < items.length && before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return top;
  }
}

function before(a: ThreadCursor, b: ThreadCursor): boolean {
  const x = a.head()!.idHex;
  const y = b.head()!.idHex;
  if (x !== y) return x > y;
  return a.keys.threadHex < b.keys.threadHex;
}

function pageSize(cursors: readonly ThreadCursor[]): number {
  return cursors.length === 1 ? PAGE : MERGE_PAGE;
}

/**
 * Reads the first page of every cursor, {@link FILL_CONCURRENCY} threads at a
 * time; afterwards a cursor's `seen` tells whether its range holds anything.
 *
 * @example
 * ```ts
 * await fillFirstPages(cursors, query, pages);
 * ```
 */
export async function fillFirstPages(
  cursors: readonly ThreadCursor[],
  query: ListQuery,
  pages: PageSource,
): Promise<void> {
  const size = pageSize(cursors);
  for (let i = 0; i < cursors.length; i += FILL_CONCURRENCY) {
    await Promise.all(
      cursors.slice(i, i + FILL_CONCURRENCY).map((cursor) => cursor.fill(query, pages, size)),
    );
  }
}

/**
 * The entries of filled cursors, newest first across all of them, each with
 * its thread id, until `query.remaining` (counted down here) runs out.
 *
 * @example
 * ```ts
 * for await (const [threadId, entry] of newestFirst(cursors, query, pages)) console.log(threadId, entry.idHex);
 * ```
 */
export async function* newestFirst(
  cursors: readonly ThreadCursor[],
  query: ListQuery,
  pages: PageSource,
): AsyncGenerator<[threadId: string, entry: ListEntry]> {
  const size = pageSize(cursors);
  const heap = new CursorHeap();
  for (const cursor of cursors) if (cursor.head()) heap.push(cursor);
  while (query.remaining > 0 && heap.size > 0) {
    const cursor = heap.pop()!;
    const entry = cursor.take()!;
    // Empty: deleted between the metadata read and the body fetch of a filtered page.
    if (entry.checkpoint.length > 0) {
      yield [cursor.threadId, entry];
      query.remaining--;
    }
    if (cursor.needsFill()) await cursor.fill(query, pages, size);
    if (cursor.head()) heap.push(cursor);
  }
}
