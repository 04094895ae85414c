// A workflow's threads as a resource: listing them by status (with a stable
// cursor) and continuing the stalled ones. The saver keeps and lists the
// records (contract/threads.ts); this file checks the query, asks for the
// capability (failing closed), and encodes the cursor.
import type { CheckpointSaver } from "../contract/checkpoint.js";
import {
  type SaverThreadQuery,
  THREAD_STATUSES,
  type ThreadPage,
  type ThreadPosition,
  type ThreadQuery,
  type ThreadStatus,
  type ThreadSummary,
} from "../contract/threads.js";
import {
  InvalidArgumentError,
  NoCheckpointerError,
  NothingToResumeError,
  SaverCapabilityMissingError,
  ThreadBusyError,
} from "../errors/index.js";
import { isPaused } from "./workflow-types.js";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1_000;
const MAX_CURSOR = 1_000_000;

/** The saver's listing, or a typed error naming what is missing. */
function listingSaver(
  saver: CheckpointSaver | undefined,
  workflowName: string,
  what: string,
): CheckpointSaver & Required<Pick<CheckpointSaver, "listThreads">> {
  if (!saver) throw new NoCheckpointerError(workflowName, what);
  if (saver.capabilities?.threads !== true || typeof saver.listThreads !== "function") {
    throw new SaverCapabilityMissingError(
      saver.constructor?.name || "this checkpointer",
      "threads",
      `${what} in workflow "${workflowName}"`,
      "keep a record per thread (PutOptions.thread, PutWritesOptions.thread), remove it in deleteThread, implement listThreads, and declare capabilities.threads",
    );
  }
  return saver as CheckpointSaver & Required<Pick<CheckpointSaver, "listThreads">>;
}

function instant(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      `threads(): ${name} must be a Date or an ISO 8601 date string, got ${JSON.stringify(value)}.`,
    );
  }
  return ms;
}

/** The cursor a page ends with: the last thread's position, as opaque text. */
export function encodeCursor(position: ThreadPosition): string {
  return Buffer.from(JSON.stringify([position.updatedAt, position.threadId])).toString("base64url");
}

function decodeCursor(cursor: unknown): ThreadPosition {
  const refuse = () =>
    new InvalidArgumentError(
      "threads(): cursor is not one a threads listing returned; pass the `cursor` of the previous page, or leave it out for the first page.",
    );
  // A cursor carries a thread id, and thread ids have no length limit of their
  // own: the bound only stops a pathological string before it is decoded.
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > MAX_CURSOR)
    throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== "string"
  ) {
    throw refuse();
  }
  return { updatedAt: parsed[0], threadId: parsed[1] };
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks a caller's query and turns it into what the saver receives. */
export function saverQuery(
  entrypoint: string,
  given: ThreadQuery & { threadId?: string } = {},
): SaverThreadQuery {
  const query = given;
  if (!isPlainRecord(given)) {
    throw new InvalidArgumentError(
      'threads(): the query must be an object such as { status: "interrupted" }.',
    );
  }
  let status: ThreadStatus[] | undefined;
  if (query.status !== undefined) {
    status = Array.isArray(query.status) ? [...query.status] : [query.status];
    for (const s of status) {
      if (!THREAD_STATUSES.includes(s)) {
        throw new InvalidArgumentError(
          `threads(): status ${JSON.stringify(s)} is not one of ${THREAD_STATUSES.map((x) => `"${x}"`).join(", ")}.`,
        );
      }
    }
  }
  if (query.metadata !== undefined && !isPlainRecord(query.metadata)) {
    throw new InvalidArgumentError(
      "threads(): metadata must be an object of the keys and values to match exactly.",
    );
  }
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidArgumentError(
      `threads(): limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(query.limit)}.`,
    );
  }
  const out: SaverThreadQuery = { entrypoint, limit };
  if (query.threadId !== undefined) out.threadId = query.threadId;
  if (status) out.status = status;
  if (query.metadata) out.metadata = query.metadata;
  const before = instant(query.updatedBefore, "updatedBefore");
  const after = instant(query.updatedAfter, "updatedAfter");
  if (before !== undefined) out.updatedBefore = before;
  if (after !== undefined) out.updatedAfter = after;
  if (query.cursor !== undefined) out.after = decodeCursor(query.cursor);
  return out;
}

/** One page of a workflow's threads. */
export async function threadsPage(
  saver: CheckpointSaver | undefined,
  workflowName: string,
  query: ThreadQuery | undefined,
): Promise<ThreadPage> {
  const listing = listingSaver(saver, workflowName, "threads()");
  const checked = saverQuery(workflowName, query);
  const rows = await listing.listThreads(checked);
  const threads: ThreadSummary[] = rows.map(({ updatedAtMs: _ms, ...summary }) => summary);
  const last = rows[rows.length - 1];
  return rows.length === checked.limit && last
    ? { threads, cursor: encodeCursor({ updatedAt: last.updatedAtMs, threadId: last.threadId }) }
    : { threads };
}

/** Every thread matching `query`, page by page. */
export async function* allThreads(
  saver: CheckpointSaver | undefined,
  workflowName: string,
  query: ThreadQuery | undefined,
): AsyncGenerator<ThreadSummary> {
  let cursor = query?.cursor;
  for (;;) {
    const page = await threadsPage(saver, workflowName, { ...query, cursor });
    yield* page.threads;
    if (!page.cursor) return;
    cursor = page.cursor;
  }
}

/**
 * Options of `workflow.recover()`.
 *
 * @example
 * ```ts
 * await workflow.recover({ olderThan: 60_000, limit: 100 });
 * ```
 */
export interface RecoverOptions {
  /** Only threads whose last update is at least this many milliseconds old. */
  olderThan?: number;
  /** At most this many threads (default: all stalled threads). */
  limit?: number;
}

/**
 * What `workflow.recover()` did with each stalled thread it found.
 *
 * @example
 * ```ts
 * const { continued, skipped } = await workflow.recover();
 * for (const s of skipped) console.warn(s.threadId, s.reason);
 * ```
 */
export interface RecoverResult {
  /** Threads this call continued, and how their run ended. */
  continued: {
    /** The thread. */
    threadId: string;
    /** How the continued run ended: it returned, paused again, or failed. */
    outcome: "done" | "interrupted" | "failed";
    /** The error the continued run ended with, when it failed. */
    error?: unknown;
  }[];
  /** Threads this call left alone, and why. */
  skipped: {
    /** The thread. */
    threadId: string;
    /** Why it was left alone. */
    reason: string;
  }[];
}

/** Continues every stalled thread of a workflow, each through the normal concurrency guard. */
export async function recoverStalled(
  saver: CheckpointSaver | undefined,
  workflowName: string,
  options: RecoverOptions | undefined,
  continueThread: (threadId: string, checkpointId: string) => Promise<unknown>,
): Promise<RecoverResult> {
  listingSaver(saver, workflowName, "recover()");
  const olderThan = options?.olderThan;
  if (olderThan !== undefined && !(Number.isFinite(olderThan) && olderThan >= 0)) {
    throw new InvalidArgumentError(
      `recover(): olderThan must be a number of milliseconds >= 0, got ${JSON.stringify(olderThan)}.`,
    );
  }
  const limit = options?.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new InvalidArgumentError(
      `recover(): limit must be a whole number >= 1, got ${JSON.stringify(limit)}.`,
    );
  }
  // Collected first, then continued: continuing changes the very listing being read.
  const stalled: { threadId: string; checkpointId: string }[] = [];
  const query: ThreadQuery = { status: "stalled", limit: Math.min(limit ?? MAX_LIMIT, MAX_LIMIT) };
  if (olderThan !== undefined) query.updatedBefore = new Date(Date.now() - olderThan);
  for await (const thread of allThreads(saver, workflowName, query)) {
    stalled.push({ threadId: thread.threadId, checkpointId: thread.checkpointId });
    if (limit !== undefined && stalled.length >= limit) break;
  }
  const result: RecoverResult = { continued: [], skipped: [] };
  for (const { threadId, checkpointId } of stalled) {
    try {
      // From the checkpoint it stalled at only: a thread another recoverer
      // has moved on since is skipped, not continued a second time.
      const value = await continueThread(threadId, checkpointId);
      result.continued.push({ threadId, outcome: isPaused(value) ? "interrupted" : "done" });
    } catch (error) {
      if (error instanceof ThreadBusyError) {
        result.skipped.push({
          threadId,
          reason: "another run holds it now (it was continued elsewhere)",
        });
      } else if (error instanceof NothingToResumeError) {
        result.skipped.push({ threadId, reason: "it has nothing left to run" });
      } else {
        result.continued.push({ threadId, outcome: "failed", error });
      }
    }
  }
  return result;
}
