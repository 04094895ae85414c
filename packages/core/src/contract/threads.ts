// Threads as a queryable resource: the part of the saver contract that lets
// Savepoint answer "which threads wait for us, and on what?". A saver that
// declares `capabilities.threads` keeps one record per thread, updated in
// the same atomic step as the checkpoint or writes it accompanies, and lists
// those records newest update first.
import type { Interrupt } from "./interrupt.js";

/**
 * Where a thread stands, as `workflow.threads()` reports it:
 *
 * - `"interrupted"`: its run paused on interrupts and waits for answers.
 * - `"running"`: a run holds it now (its lease is live).
 * - `"stalled"`: a run held it and stopped renewing its lease (its process
 *   died, or the run was aborted mid-way): `workflow.recover()` continues it.
 * - `"failed"`: its last run ended in an error (`invoke(null, config)` retries).
 * - `"done"`: its last run returned.
 *
 * The status is that of the thread's latest checkpoint: a fork or time travel
 * writes a new latest checkpoint, and the status follows the run made there.
 *
 * @example
 * ```ts
 * const waiting: ThreadStatus = "interrupted";
 * ```
 */
export type ThreadStatus = "interrupted" | "running" | "stalled" | "failed" | "done";

/**
 * Every {@link ThreadStatus}, in a fixed order.
 *
 * @example
 * ```ts
 * THREAD_STATUSES.includes("stalled"); // true
 * ```
 */
export const THREAD_STATUSES: readonly ThreadStatus[] = [
  "interrupted",
  "running",
  "stalled",
  "failed",
  "done",
];

/**
 * The status a saver stores: `"stalled"` is never stored, it is a running
 * thread whose lease has expired.
 *
 * @example
 * ```ts
 * const stored: StoredThreadStatus = "running";
 * ```
 */
export type StoredThreadStatus = Exclude<ThreadStatus, "stalled">;

/**
 * What the runtime asks a saver to record about a thread alongside a `put` or
 * a `putWrites` ({@link PutOptions.thread}, {@link PutWritesOptions.thread}).
 *
 * @example
 * ```ts
 * const update: ThreadUpdate = { entrypoint: "review", status: "running", lease: { owner, ms: 30_000 } };
 * ```
 */
export interface ThreadUpdate {
  /** The workflow the thread runs. */
  entrypoint: string;
  /** The thread's new status. */
  status: StoredThreadStatus;
  /** The interrupts it waits on (status `"interrupted"`), with their payloads. */
  interrupts?: Interrupt[];
  /** The run's metadata: merged over what the thread's record already holds. */
  metadata?: Record<string, unknown>;
  /** While running: who holds the thread, and for how long from now (the saver's clock). */
  lease?: {
    /** Who holds it: unique per run. */
    owner: string;
    /** How long from now, in milliseconds. */
    ms: number;
  };
}

/**
 * One thread, as a listing returns it.
 *
 * @example
 * ```ts
 * for await (const t of workflow.threads({ status: "interrupted" })) console.log(t.threadId, t.interrupts);
 * ```
 */
export interface ThreadSummary {
  /** The thread's id. */
  threadId: string;
  /** The workflow it runs. */
  entrypoint: string;
  /** Where it stands (see {@link ThreadStatus}). */
  status: ThreadStatus;
  /** What it waits on when interrupted (empty otherwise): each interrupt's id and payload. */
  interrupts: Interrupt[];
  /** The metadata of its runs, merged (later runs win). */
  metadata: Record<string, unknown>;
  /** When it was first recorded (ISO 8601). */
  createdAt: string;
  /** When it last changed (ISO 8601). */
  updatedAt: string;
  /** Its latest checkpoint. */
  checkpointId: string;
  /** While running or stalled: when the run's lease ends (ISO 8601). */
  leaseUntil?: string;
}

/**
 * Which threads a listing returns. Every field narrows it; newest update first.
 *
 * @example
 * ```ts
 * const query: ThreadQuery = { status: ["interrupted", "stalled"], metadata: { team: "legal" }, limit: 50 };
 * ```
 */
export interface ThreadQuery {
  /** Only these statuses. */
  status?: ThreadStatus | ThreadStatus[];
  /** Only threads whose metadata has each of these keys with exactly this value. */
  metadata?: Record<string, unknown>;
  /** Only threads last updated before this instant. */
  updatedBefore?: Date | string;
  /** Only threads last updated after this instant. */
  updatedAfter?: Date | string;
  /** Page size (default 50, at most 1,000). */
  limit?: number;
  /** Where the previous page ended ({@link ThreadPage.cursor}). */
  cursor?: string;
}

/**
 * The query a saver receives: the workflow's name added, the rest checked and normalised.
 *
 * @example
 * ```ts
 * const page = await saver.listThreads({ entrypoint: "review", status: ["interrupted"], limit: 50 });
 * ```
 */
export interface SaverThreadQuery {
  /** Only threads of this workflow. */
  entrypoint: string;
  /** Only this thread (used to read one). */
  threadId?: string;
  /** Only these statuses (all when absent). */
  status?: ThreadStatus[];
  /** Exact-match metadata filter. */
  metadata?: Record<string, unknown>;
  /** Updated strictly before, in milliseconds since the epoch. */
  updatedBefore?: number;
  /** Updated strictly after, in milliseconds since the epoch. */
  updatedAfter?: number;
  /** Page size, 1 to 1,000. */
  limit: number;
  /** Continue after this position: the last thread of the previous page. */
  after?: ThreadPosition;
}

/**
 * A thread's place in a listing: newest update first, then, among threads
 * updated in the same millisecond, an order of thread ids the saver fixes
 * (memory: code point; Postgres: the id's digest, as its indexes hold it),
 * so a page boundary is exact even when updates share a millisecond.
 *
 * @example
 * ```ts
 * const after: ThreadPosition = { updatedAt: 1764633600000, threadId: "t-41" };
 * ```
 */
export interface ThreadPosition {
  /** Milliseconds since the epoch. */
  updatedAt: number;
  /** The thread id. */
  threadId: string;
}

/**
 * One page of a listing.
 *
 * @example
 * ```ts
 * let page = await workflow.threadsPage({ status: "interrupted" });
 * while (page.cursor) page = await workflow.threadsPage({ status: "interrupted", cursor: page.cursor });
 * ```
 */
export interface ThreadPage {
  /** The threads, newest update first. */
  threads: ThreadSummary[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  cursor?: string;
}

/**
 * What a saver returns for one listed thread: a {@link ThreadSummary} plus
 * its numeric times, for the cursor.
 *
 * @example
 * ```ts
 * const row: ListedThread = { ...summary, updatedAtMs: Date.parse(summary.updatedAt) };
 * ```
 */
export interface ListedThread extends ThreadSummary {
  /** `updatedAt` in milliseconds since the epoch. */
  updatedAtMs: number;
}

/**
 * The thread-listing half of the contract, present when
 * `capabilities.threads` is true.
 *
 * @example
 * ```ts
 * const rows = await saver.listThreads({ entrypoint: "review", status: ["interrupted"], limit: 50 });
 * ```
 */
export interface ThreadListing {
  /**
   * Up to `query.limit` thread records matching `query`, newest update
   * first (ties in the saver's fixed order of thread ids, see
   * {@link ThreadPosition}), strictly after `query.after`. A
   * record's status is the one stored with its latest write, except that a
   * `"running"` record whose lease has ended is reported as `"stalled"`.
   */
  listThreads(query: SaverThreadQuery): Promise<ListedThread[]>;
}
