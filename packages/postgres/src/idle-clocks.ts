// Which idle clocks (migration 4: `heads.last_write_at`) this saver set
// lately, so that a task write right after one need not carry the clock's
// refresh. The refresh is a conditional UPDATE of the head row in the
// write's statement; even when the clock is fresh and no row changes, the
// database still opens the head table and its indexes and looks the row up,
// which was a tenth of a task's whole write in `sync` durability on
// PostgreSQL (the benchmarks' W2). A put always sets its namespace's clock
// (it changes the head row anyway), so in a run of tasks between puts only
// the first write after a window's end sends the refresh.
//
// The cost is exactness: a clock can trail the thread's last write by up to
// the window. The window is a second, or a tenth of this saver's ttl when
// that is shorter, far below any ttl worth setting; a sweeper elsewhere
// with a ttl of seconds still sees every thread written within it. Savers
// in other processes keep their own memory, so each refreshes at least
// once a window. What this saver's own sweep or prune clears (keep-latest
// leaves a clock NULL until the next write) it forgets, so its next write
// restarts the clock at once.
import type { ResolvedTtl } from "@savepoint/core";

/** The longest a task write goes without refreshing a clock this saver set. */
export const CLOCK_WINDOW_MS = 1_000;

// Bounded: a process that writes many threads forgets them all at once
// rather than growing; forgetting only costs the next write its refresh.
const REMEMBERED = 10_000;

/**
 * The idle clocks this saver set within the window, by thread and namespace.
 *
 * @example
 * ```ts
 * const clocks = new RecentClocks(undefined);
 * clocks.set("t-1", "");
 * clocks.fresh("t-1", ""); // true, for a second
 * ```
 */
export class RecentClocks {
  private readonly windowMs: number;
  // Thread id, then namespace, to when this saver set the clock (Date.now()).
  private readonly setAt = new Map<string, Map<string, number>>();

  constructor(ttl: ResolvedTtl | undefined) {
    this.windowMs = Math.min(CLOCK_WINDOW_MS, Math.floor((ttl?.idleMs ?? Infinity) / 10));
  }

  /** Whether this saver set the clock of (`threadId`, `ns`) within the window. */
  fresh(threadId: string, ns: string): boolean {
    const at = this.setAt.get(threadId)?.get(ns);
    return at !== undefined && Date.now() - at < this.windowMs;
  }

  /** A statement that refreshes the clock of (`threadId`, `ns`) has committed. */
  set(threadId: string, ns: string): void {
    if (this.windowMs <= 0) return;
    let thread = this.setAt.get(threadId);
    if (thread === undefined) {
      if (this.setAt.size >= REMEMBERED) this.setAt.clear();
      thread = new Map();
      this.setAt.set(threadId, thread);
    }
    thread.set(ns, Date.now());
  }

  /** Forgets the clocks of `threadId` (every namespace), or of every thread. */
  forget(threadId?: string): void {
    if (threadId === undefined) this.setAt.clear();
    else this.setAt.delete(threadId);
  }
}
