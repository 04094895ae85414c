// Which idle clocks (migration 4: `heads.last_write_at`) this saver set
// lately, so that a task write right after one need not carry the clock's
// refresh. The refresh is a conditional UPDATE of the head row in the
// write's statement, skipped by the database when the clock is younger
// than CLOCK_GRAIN_MS; but even then the database opens the head table and
// its indexes and looks the row up, which was a tenth of a task's whole
// write in `sync` durability on PostgreSQL (the benchmarks' W2). A put
// always sets its namespace's clock (it changes the head row anyway).
//
// The window is that same grain, timed from before the refreshing
// statement was sent, so what a clock promises does not change: it trails
// the thread's last write by at most CLOCK_GRAIN_MS. A run of fast tasks
// then sends one refresh per grain instead of one lookup per task. What this
// saver's own sweep or prune clears (keep-latest leaves a clock NULL until
// the next write) it forgets, so its next write restarts the clock at once.

/**
 * How stale a namespace's idle clock may be before a task write (or, with
 * `refreshOnRead`, a read) refreshes it. A put always refreshes it (it
 * changes the head row anyway); a write only when the clock is older than
 * this, so most writes change no row, and the parallel task writes of one
 * step do not queue on the head row's lock, each waiting for the previous
 * one to commit. Far below any useful ttl. A write this saver sends within
 * the grain of setting the clock itself carries no refresh at all (below).
 *
 * @example
 * ```ts
 * CLOCK_GRAIN_MS; // 50
 * ```
 */
export const CLOCK_GRAIN_MS = 50;

// Bounded: a process that writes many threads forgets them all at once
// rather than growing; forgetting only costs the next write its refresh.
const REMEMBERED = 10_000;

/**
 * The idle clocks this saver set within the window, by thread and namespace.
 *
 * @example
 * ```ts
 * const clocks = new RecentClocks();
 * clocks.set("t-1", "", Date.now());
 * clocks.fresh("t-1", ""); // true, for 50 ms
 * ```
 */
export class RecentClocks {
  // Thread id, then namespace, to when this saver set the clock (Date.now()).
  private readonly setAt = new Map<string, Map<string, number>>();

  /** Whether this saver set the clock of (`threadId`, `ns`) within the window. */
  fresh(threadId: string, ns: string): boolean {
    const at = this.setAt.get(threadId)?.get(ns);
    return at !== undefined && Date.now() - at < CLOCK_GRAIN_MS;
  }

  /**
   * A statement that refreshes the clock of (`threadId`, `ns`) has
   * committed; `sentAt` is Date.now() from before it was sent, so the
   * clock it set is no older than that.
   */
  set(threadId: string, ns: string, sentAt: number): void {
    let thread = this.setAt.get(threadId);
    if (thread === undefined) {
      if (this.setAt.size >= REMEMBERED) this.setAt.clear();
      thread = new Map();
      this.setAt.set(threadId, thread);
    }
    thread.set(ns, sentAt);
  }

  /** Forgets the clocks of `threadId` (every namespace), or of every thread. */
  forget(threadId?: string): void {
    if (threadId === undefined) this.setAt.clear();
    else this.setAt.delete(threadId);
  }
}
