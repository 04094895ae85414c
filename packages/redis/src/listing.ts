import { SEP, SEP_END, type ThreadKeys, toHex } from "./keys.js";

// How `list` walks checkpoints newest first. Each thread is a cursor over one
// of its sorted sets, read in pages by the list script; a query on one thread
// reads one cursor, a query across threads merges the cursors of every thread
// in the thread index by checkpoint id (a k-way merge on a heap), so the
// result is newest first over all threads without any global index that a
// write would have to keep up to date.

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
  writes: Buffer[];
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

/** Reads one page of a thread: up to `count` entries below `max`, bodies included or not. */
export type PageReader = (
  keys: ThreadKeys,
  range: ListRange,
  max: string,
  count: number,
  withBodies: boolean,
) => Promise<ListEntry[]>;

/** Keeps the entries of a page that pass the filter, with their bodies fetched. */
export type PageFilter = (
  keys: ThreadKeys,
  entries: ListEntry[],
  budget: number,
) => Promise<ListEntry[]>;

/**
 * A position in one thread's checkpoints, newest first, refilled a page at a
 * time. With a filter, each page is read as metadata only, filtered, and the
 * bodies of the matches fetched in one more call.
 *
 * @example
 * ```ts
 * const cursor = new ThreadCursor("t", keys, range);
 * await cursor.fill(query, read, filter, 10);
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
  async fill(
    query: ListQuery,
    read: PageReader,
    filter: PageFilter,
    pageSize: number,
  ): Promise<void> {
    while (this.needsFill() && query.remaining > 0) {
      const withBodies = query.filter === undefined;
      const count = withBodies ? Math.max(1, Math.min(query.remaining, pageSize)) : pageSize;
      const page = await read(this.keys, this.range, this.max, count, withBodies);
      this.seen += page.length;
      if (page.length < count) this.done = true;
      else this.max = `(${page[page.length - 1]!.indexMember}`;
      this.buffer = withBodies ? page : await filter(this.keys, page, query.remaining);
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
