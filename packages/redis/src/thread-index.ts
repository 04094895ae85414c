import type { Connection } from "./connection.js";
import { fromHex, type ThreadKeys, threadIndexKey } from "./keys.js";
import type { ThreadCursor } from "./listing.js";
import { type Reply, SCRIPTS } from "./scripts.js";

// The thread index: one sorted set, `<prefix>:threads`, whose members are the
// hex ids of the threads under the prefix (all scores 0, so it pages in id
// order with ZRANGEBYLEX). Only `list` without a `thread_id` reads it: without
// it, finding the threads would take KEYS or SCAN over the whole keyspace.
//
// Why it is kept the way it is:
// - It has no hash tag, so on a Cluster it lives in a slot of its own and no
//   thread's Lua script can write it. It is kept beside the scripts, never
//   inside them, and can therefore disagree with the threads for a moment.
//   The rules below make it err towards an entry for a thread that is gone
//   (pruned when a listing meets it) rather than a thread without an entry.
// - A put adds the entry the first time this process writes the thread, sent
//   just before the put script (on one connection it arrives first). After
//   that the entry is skipped, which keeps a put to one command; a bounded
//   in-process set remembers the threads already indexed. If the thread was
//   deleted or expired elsewhere meanwhile, the put script reports that it
//   created the thread, and the entry is added again.
// - `deleteThread` sends the entry's ZREM before the DEL of the thread's
//   keys. A put racing with it then either lands before the DEL (and is
//   deleted with the thread) or re-creates the thread after it, is told so by
//   its script, and re-adds the entry after the ZREM.
// - An expiring thread (TTL) cannot take its entry with it. A listing across
//   threads that finds a thread empty prunes the entry, without racing a put
//   that re-creates the thread: see {@link ThreadIndex.pruneEmpty}.

// Entries read per ZRANGEBYLEX call.
const INDEX_PAGE = 1000;
// Cap on the in-process memory of threads known to be in the index.
const REMEMBERED = 10_000;

/**
 * The index of all threads under one prefix, and the rules that keep it
 * beside the threads (see the top of this file).
 *
 * @example
 * ```ts
 * const index = new ThreadIndex(new Connection("redis://127.0.0.1:6379"), "savepoint");
 * const threadIds = await index.threadIds();
 * ```
 */
export class ThreadIndex {
  /** The sorted set's key (no hash tag: a slot of its own). */
  readonly key: string;
  private readonly indexed = new Set<string>();

  constructor(
    private readonly connection: Connection,
    prefix: string,
  ) {
    this.key = threadIndexKey(prefix);
  }

  /**
   * Runs `script` (the thread's put script, which replies `{1, created}` on
   * commit) with the index entry kept up to date beside it; the script's reply.
   */
  async put(keys: ThreadKeys, script: () => Promise<Reply>): Promise<Reply> {
    const hex = keys.threadHex;
    const known = this.indexed.has(hex);
    // Sent before the script, so on one connection the entry exists first.
    const entry = known ? undefined : this.add("put", hex);
    const [reply] = await Promise.all([script(), entry]);
    const [status, created] = reply as [number, unknown];
    if (status === 1) {
      if (known && created === 1) await this.add("put", hex);
      this.remember(hex);
    }
    return reply;
  }

  /** Deletes the thread's entry, then its keys (one DEL: they share a slot). */
  async deleteThread(keys: ThreadKeys): Promise<void> {
    this.indexed.delete(keys.threadHex);
    await this.connection.call("deleteThread", () =>
      Promise.all([
        this.connection.client.zrem(this.key, keys.threadHex),
        this.connection.client.del(...keys.all),
      ]),
    );
  }

  /** Every thread id in the index, in hex (code-point) order. */
  async threadIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = "-";
    for (;;) {
      const page = (await this.connection.call("list", () =>
        this.connection.client.zrangebylex(this.key, cursor, "+", "LIMIT", 0, INDEX_PAGE),
      )) as string[];
      for (const hex of page) ids.push(fromHex(hex));
      if (page.length < INDEX_PAGE) return ids;
      cursor = `(${page[page.length - 1]}`;
    }
  }

  /**
   * After a listing across threads has read a first page of every thread:
   * drops the entries of threads that turned out to hold nothing at all
   * (expired, or deleted by hand). Removing an entry must not race a put that
   * re-creates the thread, so it removes, looks again, and puts the entry back
   * if the thread exists after all; a put that re-creates it later reports
   * "created" and re-adds the entry itself.
   */
  async pruneEmpty(cursors: readonly ThreadCursor[]): Promise<void> {
    for (const { seen, keys } of cursors) {
      // Entries seen in the range: the thread is not empty.
      if (seen > 0 || (await this.exists(keys))) continue;
      await this.connection.call("list", () =>
        this.connection.client.zrem(this.key, keys.threadHex),
      );
      if (await this.exists(keys)) await this.add("list", keys.threadHex);
      this.indexed.delete(keys.threadHex);
    }
  }

  /** Adds the entry of a thread made by another way than put (a copy). */
  async added(operation: string, keys: ThreadKeys): Promise<void> {
    await this.add(operation, keys.threadHex);
    this.remember(keys.threadHex);
  }

  /**
   * Drops the entry of a thread a sweep found gone or removed, unless the
   * thread exists again when looked at after (a put re-created it meanwhile).
   */
  async forget(operation: string, keys: ThreadKeys): Promise<void> {
    this.indexed.delete(keys.threadHex);
    await this.connection.call(operation, () =>
      this.connection.client.zrem(this.key, keys.threadHex),
    );
    if (await this.exists(keys)) await this.add(operation, keys.threadHex);
  }

  private remember(hex: string): void {
    if (this.indexed.size >= REMEMBERED) this.indexed.clear();
    this.indexed.add(hex);
  }

  private add(operation: string, hex: string): Promise<number> {
    return this.connection.call(operation, () => this.connection.client.zadd(this.key, 0, hex));
  }

  private async exists(keys: ThreadKeys): Promise<boolean> {
    return (await this.connection.run("list", SCRIPTS.exists, keys, [])) === 1;
  }
}
