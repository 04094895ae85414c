// The one statement of a `putWrites` (one task's writes) or a
// `putWritesBatch` (several tasks'), encoded, with the thread record's
// update when the call carries one. A special channel
// written twice keeps its last value (core's `indexWrites`), because one
// statement cannot touch the same row twice.
import {
  type CheckedTaskWrites,
  indexWrites,
  type WritesTarget as KitWritesTarget,
  type PendingWrite,
  quote,
} from "@savepoint/core";
import { keyOf, nsKeyOf, storableId, threadKeyOf } from "./identifiers.js";
import type { BoundQuery } from "./sql.js";
import type { Statements } from "./statements.js";
import type { ValueCodec } from "./values.js";

/** What one `putWrites` call writes: the kit's checked target, its writes and record update. */
export interface WritesTarget extends KitWritesTarget {
  writes: PendingWrite[];
  /** The record update's parameters (thread-records.ts `recordParams`), if any. */
  record: unknown[] | undefined;
  /** The saver set this namespace's idle clock moments ago: the statement leaves it (idle-clocks.ts). */
  clockFresh: boolean;
}

/**
 * The statement that stores `target`, or `undefined` when there is nothing
 * to store (no writes and no record update). Without writes, a record update
 * is a lease renewal: it changes only the record.
 *
 * @example
 * ```ts
 * const query = await writesQuery(codec, sql, { threadId, ns: "", checkpointId, taskId, taskPath: "", writes, record: undefined, clockFresh: false });
 * if (query) await db.query(query.text, query.params);
 * ```
 */
export async function writesQuery(
  codec: ValueCodec,
  sql: Statements,
  target: WritesTarget,
): Promise<BoundQuery | undefined> {
  const { threadId, ns, checkpointId, taskId, taskPath, writes, record } = target;
  if (writes.length === 0) return renewal(sql, target);
  const encoded = await encodeWrites(codec, taskId, writes);
  const head = [threadKeyOf(threadId), nsKeyOf(ns), checkpointId, keyOf(taskId)];
  const q = statementsFor(sql, target);
  const tail = record ?? [];
  if (encoded.length === 1) {
    const { idx, channel, type, text, replaces } = encoded[0]!;
    return {
      text: replaces ? q.writeReplace : q.writeKeep,
      params: [...head, idx, taskId, taskPath, channel, type, text, ...tail],
    };
  }
  const rows = encoded.map(({ idx, channel, type, text }) => [idx, channel, type, text]);
  return {
    text: q.writeMany,
    params: [...head, taskId, taskPath, JSON.stringify(rows), ...tail],
  };
}

/** What one `putWritesBatch` call writes: the writes of several tasks to one checkpoint. */
export interface BatchTarget extends Omit<WritesTarget, "taskId" | "taskPath" | "writes"> {
  entries: readonly CheckedTaskWrites[];
}

/**
 * The one statement that stores `target`'s entries, leaving what
 * {@link writesQuery} run entry after entry would: where two entries write
 * one (task, index), a special channel keeps the last write and any other
 * channel the first. `undefined` when there is nothing to store.
 *
 * @example
 * ```ts
 * const query = await batchWritesQuery(codec, sql, { threadId, ns: "", checkpointId, entries, record: undefined, clockFresh: false });
 * ```
 */
export async function batchWritesQuery(
  codec: ValueCodec,
  sql: Statements,
  target: BatchTarget,
): Promise<BoundQuery | undefined> {
  const rows = new Map<string, [string, string, string, number, string, string, string]>();
  for (const { taskId, taskPath, writes } of target.entries) {
    const taskKey = keyOf(taskId).toString("hex");
    for (const { idx, channel, type, text, replaces } of await encodeWrites(
      codec,
      taskId,
      writes,
    )) {
      const at = `${taskKey}:${idx}`;
      if (replaces || !rows.has(at))
        rows.set(at, [taskKey, taskId, taskPath, idx, channel, type, text]);
    }
  }
  if (rows.size === 0) return renewal(sql, target);
  const { threadId, ns, checkpointId, record } = target;
  return {
    text: statementsFor(sql, target).writeBatch,
    params: [
      threadKeyOf(threadId),
      nsKeyOf(ns),
      checkpointId,
      JSON.stringify([...rows.values()]),
      ...(record ?? []),
    ],
  };
}

// Without writes, a record update is a lease renewal: it changes only the record.
function renewal(
  sql: Statements,
  target: { threadId: string; checkpointId: string; record: unknown[] | undefined },
): BoundQuery | undefined {
  if (!target.record) return undefined;
  return {
    text: sql.withRecord.renew,
    params: [threadKeyOf(target.threadId), target.checkpointId, ...target.record],
  };
}

// With the record's update or without; without the clock's refresh when the
// saver set the clock within the grain.
function statementsFor(
  sql: Statements,
  target: { record: unknown[] | undefined; clockFresh: boolean },
) {
  const set = target.record ? sql.withRecord : sql;
  return target.clockFresh ? set.fresh : set;
}

async function encodeWrites(codec: ValueCodec, taskId: string, writes: PendingWrite[]) {
  const rows = indexWrites(writes);
  for (const { channel } of rows)
    storableId("putWrites: write channel", channel, { allowEmpty: true });
  const encoded: { idx: number; channel: string; type: string; text: string; replaces: boolean }[] =
    [];
  for (const { idx, channel, value, replaces } of rows) {
    const owner = () => `Write to ${quote(channel)} of task ${quote(taskId)}`;
    const [type, text] = codec.encodeSync(value, owner) ?? (await codec.encode(value, owner));
    encoded.push({ idx, channel, type, text, replaces });
  }
  return encoded;
}
