// The thread head behind `put(..., { ifHead })`, and what a refused
// conditional put means. The head row holds the newest checkpoint id of each
// (thread, namespace); the statements keep it so, and treat a missing row as
// "the latest stored checkpoint is the head" (see statements.ts). After a
// refusal, one query tells the three cases apart:
//
// - the head is another checkpoint that is stored: another run committed
//   first, a CheckpointConflictError (the runtime's THREAD_BUSY);
// - the head row names a checkpoint that is no longer stored (deleted by
//   hand, lost in a partial restore): continuing would replay without it and
//   re-run finished tasks, so it is a BrokenHistoryError, before anything
//   runs. A new run (metadata source "input") replays nothing: the row is
//   pointed at the latest stored checkpoint and the put tried once more, so
//   "start the thread over with a new input" works as the error says.
import {
  BrokenHistoryError,
  CheckpointConflictError,
  type CheckpointMetadata,
} from "@savepoint/core";
import type { Queryable, Row } from "./sql.js";
import type { Statements } from "./statements.js";

/**
 * The head as a refused put sees it: `actual` is the head to report;
 * `dangling` is set when the head row names a checkpoint that is not stored.
 *
 * @example
 * ```ts
 * const head: RefusedHead = { actual: "1ef…", dangling: undefined };
 * ```
 */
export interface RefusedHead {
  actual: string | null;
  dangling: string | undefined;
}

/**
 * Reads the head of one (thread, namespace) after a conditional put was refused.
 *
 * @example
 * ```ts
 * const { actual } = await readHead(db, sql, threadKey, nsKey);
 * ```
 */
export async function readHead(
  db: Queryable,
  sql: Statements,
  threadKey: Buffer,
  nsKey: Buffer,
): Promise<RefusedHead> {
  const [row] = await db.query(sql.head, [threadKey, nsKey]);
  const head = (row?.head as string | null | undefined) ?? null;
  const latest = (row?.latest as string | null | undefined) ?? null;
  if (head === null) return { actual: latest, dangling: undefined };
  if (row?.present === true) return { actual: head, dangling: undefined };
  return { actual: head, dangling: head };
}

/**
 * One conditional put and the typed error of its refusal: the statement is
 * sent; when it stores nothing, the head decides between
 * CheckpointConflictError and BrokenHistoryError (see the top of this file).
 *
 * @example
 * ```ts
 * await putUnderHead(db, sql, { statement: sql.putIfHead, params, threadId, ns, threadKey, nsKey, ifHead, metadata });
 * ```
 */
export async function putUnderHead(
  db: Queryable,
  sql: Statements,
  put: {
    statement: string;
    params: unknown[];
    threadId: string;
    ns: string;
    threadKey: Buffer;
    nsKey: Buffer;
    ifHead: string | null | undefined;
    metadata: CheckpointMetadata | undefined;
  },
): Promise<Row> {
  for (let attempt = 0; ; attempt++) {
    const [row] = await db.query(put.statement, put.params);
    if (row) return row;
    const head = await readHead(db, sql, put.threadKey, put.nsKey);
    if (head.dangling === undefined) {
      throw new CheckpointConflictError(put.threadId, put.ifHead ?? null, head.actual);
    }
    if (attempt > 0 || put.metadata?.source !== "input") {
      const runId = put.metadata?.run_id;
      throw new BrokenHistoryError(
        put.threadId,
        put.ns,
        head.dangling,
        typeof runId === "string" ? runId : "(unknown)",
      );
    }
    await db.query(sql.repairHead, [put.threadKey, put.nsKey, head.dangling]);
  }
}
