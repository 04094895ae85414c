// Retention: what a saver with `capabilities.retention` offers so that
// storage does not grow forever — pruning old checkpoints, copying a thread,
// and expiring idle threads (a TTL the saver is constructed with, applied
// by `sweep()` or by the store's own expiry).
//
// The one rule every saver keeps: pruning and expiry never remove what the
// thread needs now. The head of each namespace stays with its writes, and
// so do the checkpoints of a run still under way (a paused, stalled or
// failed run replays its finished tasks from them; see `checkpointsToKeep`
// in the saver kit), so a pruned thread resumes and returns what an
// unpruned one would.

/**
 * How many checkpoints of each namespace `prune` keeps: the newest one, or the newest N (N ≥ 1).
 *
 * @example
 * ```ts
 * await saver.prune(["thread-1"], { keep: "latest" satisfies Keep });
 * ```
 */
export type Keep = "latest" | number;

/**
 * Options of {@link Retention.prune}.
 *
 * @example
 * ```ts
 * const options: PruneOptions = { keep: 5 };
 * ```
 */
export interface PruneOptions {
  /** What stays of each namespace, beyond what a run under way needs. */
  keep: Keep;
}

/**
 * What {@link Retention.prune} removed.
 *
 * @example
 * ```ts
 * const { checkpoints } = await saver.prune(["thread-1"], { keep: "latest" });
 * ```
 */
export interface PruneResult {
  /** Threads that had checkpoints (a thread id that names nothing is not counted). */
  threads: number;
  /** Checkpoints removed, with their writes, across every namespace. */
  checkpoints: number;
}

/**
 * When an idle thread expires, given to a saver's constructor as `ttl`.
 *
 * @example
 * ```ts
 * const ttl: ThreadTtl = { idle: "30d", onExpire: "keep-latest" };
 * ```
 */
export interface ThreadTtl {
  /**
   * How long a thread may go without a write before it expires: milliseconds,
   * or a duration such as `"45s"`, `"15m"`, `"12h"`, `"30d"`.
   */
  idle: number | string;
  /** What expiry does: remove the whole thread (default), or prune it to its latest checkpoint. */
  onExpire?: "delete" | "keep-latest";
  /**
   * Whether a thread waiting on an interrupt expires too. Default `false`: a
   * review that waits a month is still there when the reviewer comes.
   */
  includeInterrupted?: boolean;
  /** Whether reads refresh a thread's idle time as writes do. Default `false`. */
  refreshOnRead?: boolean;
}

/**
 * Options of {@link Retention.sweep}.
 *
 * @example
 * ```ts
 * await saver.sweep({ limit: 500 } satisfies SweepOptions);
 * ```
 */
export interface SweepOptions {
  /** At most this many threads expire in one call (default 1,000): bounded work for a cron. */
  limit?: number;
  /**
   * Sweep as if it were this time (milliseconds since the epoch): for tests
   * and for asking what would expire. Default: now, on the storage's clock.
   */
  now?: number;
}

/**
 * What one {@link Retention.sweep} call did.
 *
 * @example
 * ```ts
 * let result: SweepResult;
 * do result = await saver.sweep(); while (result.more);
 * ```
 */
export interface SweepResult {
  /** Threads removed entirely (`onExpire: "delete"`). */
  deleted: number;
  /** Threads pruned to their latest checkpoint (`onExpire: "keep-latest"`). */
  pruned: number;
  /** `true` when the limit was reached and more threads may be expired: call again. */
  more: boolean;
}

/**
 * What a saver with `capabilities.retention` implements. Every method is
 * safe with many processes at once: two sweepers never both expire one
 * thread, and neither removes a thread a live run holds.
 *
 * @example
 * ```ts
 * const saver = new MemorySaver({ ttl: { idle: "7d" } });
 * await saver.prune(["thread-1"], { keep: "latest" });
 * await saver.copyThread("thread-1", "thread-1-copy");
 * await saver.sweep();
 * ```
 */
export interface Retention {
  /** Removes old checkpoints (and their writes and values) of each thread, keeping what {@link PruneOptions.keep} says. */
  prune(threadIds: readonly string[], options: PruneOptions): Promise<PruneResult>;
  /**
   * Copies every checkpoint, write and namespace of `fromThreadId` into the
   * new thread `toThreadId` (a fork of the whole thread; its record too).
   * `toThreadId` must have nothing stored: copying onto a thread that has
   * checkpoints is a typed error, never a merge.
   */
  copyThread(fromThreadId: string, toThreadId: string): Promise<void>;
  /** Expires the threads idle longer than the saver's `ttl` (none without one), in bounded batches. */
  sweep(options?: SweepOptions): Promise<SweepResult>;
}
