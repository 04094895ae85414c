// MemorySaver's thread TTL. Memory has no timers: a thread's idle clock is a
// number the storage keeps per thread, set by every write, and an idle
// thread expires when something looks at it — a read of it, a listing, or
// `sweep()`, which expires in bulk by the same rules. Deleting is one
// synchronous step (check and removal with nothing between), so of two
// sweepers, or a sweeper and a read, exactly one expires a thread.
import {
  type CheckpointPendingWrite,
  type CheckpointTuple,
  isWaitingOnInterrupt,
  type ResolvedTtl,
  type SweepResult,
} from "@savepoint/core";
import { pruneThread, removeThread, type StoredReader } from "./retention.js";
import type { MemoryStorage, ThreadSpaces } from "./storage.js";

type Outcome = "deleted" | "pruned" | undefined;

/** One saver's ttl over its storage (savers sharing storage may have different ttls). */
export class ThreadExpiry {
  constructor(
    private readonly storage: MemoryStorage,
    private readonly ttl: ResolvedTtl,
    private readonly reader: StoredReader,
  ) {}

  /**
   * Before a read of one thread: expires it if it is idle now, else, with
   * `refresh` and the ttl's `refreshOnRead`, restarts its idle clock. A
   * promise only when expiry prunes (which may decode).
   */
  beforeRead(threadId: string, refresh: boolean): Promise<unknown> | undefined {
    const now = Date.now();
    const outcome = this.expire(threadId, now);
    if (outcome instanceof Promise) return outcome;
    if (outcome === undefined && refresh) this.touch(threadId, now);
    return undefined;
  }

  /** Restarts an idle clock on a read (a thread expiry already pruned keeps no clock to restart). */
  touch(threadId: string, now = Date.now()): void {
    if (this.ttl.refreshOnRead && this.storage.lastWrite.has(threadId)) {
      this.storage.lastWrite.set(threadId, now);
    }
  }

  /** Before a listing across threads: every thread idle now expires, so none is listed. */
  beforeListing(): Promise<unknown> | undefined {
    const now = Date.now();
    const pending: Promise<Outcome>[] = [];
    for (const threadId of [...this.storage.lastWrite.keys()]) {
      const outcome = this.expire(threadId, now);
      if (outcome instanceof Promise) pending.push(outcome);
    }
    return pending.length > 0 ? Promise.all(pending) : undefined;
  }

  /** Expires at most `limit` threads idle at `now`, the longest idle first. */
  async sweep(now: number, limit: number): Promise<SweepResult> {
    const idle: [threadId: string, lastWrite: number][] = [];
    for (const [threadId, last] of this.storage.lastWrite) {
      if (now - last > this.ttl.idleMs) idle.push([threadId, last]);
    }
    idle.sort((a, b) => a[1] - b[1]);
    const result: SweepResult = { deleted: 0, pruned: 0, more: false };
    for (const [threadId] of idle) {
      if (result.deleted + result.pruned === limit) {
        result.more = true;
        break;
      }
      // Checked again here: a write since the scan, or another sweeper, may have been first.
      let outcome = this.expire(threadId, now);
      if (outcome instanceof Promise) outcome = await outcome;
      if (outcome === "deleted") result.deleted++;
      else if (outcome === "pruned") result.pruned++;
    }
    return result;
  }

  private expire(threadId: string, now: number): Outcome | Promise<Outcome> {
    if (!this.isExpired(threadId, now)) return undefined;
    if (this.ttl.onExpire === "delete") {
      removeThread(this.storage, threadId);
      return "deleted";
    }
    // Claimed by removing its clock, before any await: no other sweep or read
    // expires it again, and a write meanwhile sets the clock and so cancels
    // the prune. The clock stays absent until the next write, so a pruned
    // thread is not pruned again while it stays idle.
    const claimed = this.storage.lastWrite.get(threadId)!;
    this.storage.lastWrite.delete(threadId);
    let wanted = true;
    const stillWanted = () => {
      wanted = !this.storage.lastWrite.has(threadId);
      return wanted;
    };
    return pruneThread(this.storage, threadId, 1, this.reader, stillWanted).then(
      () => (wanted ? "pruned" : undefined),
      (error: unknown) => {
        // A value that fails to decode leaves the thread as it was, clock included.
        if (this.storage.threads.has(threadId) && !this.storage.lastWrite.has(threadId)) {
          this.storage.lastWrite.set(threadId, claimed);
        }
        throw error;
      },
    );
  }

  private isExpired(threadId: string, now: number): boolean {
    const last = this.storage.lastWrite.get(threadId);
    if (last === undefined || !(now - last > this.ttl.idleMs)) return false;
    const record = this.storage.records.get(threadId);
    // A live run is never expired. Its lease is judged by the real clock as
    // well as by `now`: a sweep "as if it were later" must not remove a
    // thread a process is working on at this moment.
    if (
      record?.status === "running" &&
      record.leaseUntil !== undefined &&
      record.leaseUntil >= Math.min(now, Date.now())
    ) {
      return false;
    }
    return this.ttl.includeInterrupted || !headWaitsOnInterrupt(this.storage.threads.get(threadId));
  }
}

// Whether the root namespace's head waits on an interrupt. Only the channel
// names of its writes matter, and they are stored unencoded, so the check
// decodes nothing and stays inside the synchronous expiry step.
function headWaitsOnInterrupt(thread: ThreadSpaces | undefined): boolean {
  const root = thread?.get("");
  const headId = root?.ids[root.ids.length - 1];
  const writes = headId === undefined ? undefined : root?.writes.get(headId);
  if (!writes) return false;
  const pendingWrites: CheckpointPendingWrite[] = [];
  for (const w of writes.values()) pendingWrites.push([w.taskId, w.channel, undefined]);
  return isWaitingOnInterrupt({ pendingWrites } as Pick<
    CheckpointTuple,
    "pendingWrites"
  > as CheckpointTuple);
}
