// The one statement of a `putWrites`: its task's writes encoded, and the
// thread record's update when the call carries one. A special channel
// written twice keeps its last value (core's `indexWrites`), because one
// statement cannot touch the same row twice.
import {
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
  if (writes.length === 0) {
    if (!record) return undefined;
    return { text: sql.withRecord.renew, params: [threadKeyOf(threadId), checkpointId, ...record] };
  }
  const rows = indexWrites(writes);
  for (const { channel } of rows)
    storableId("putWrites: write channel", channel, { allowEmpty: true });
  const head = [threadKeyOf(threadId), nsKeyOf(ns), checkpointId, keyOf(taskId)];
  const encoded: [idx: number, channel: string, type: string, text: string][] = [];
  for (const { idx, channel, value } of rows) {
    const owner = () => `Write to ${quote(channel)} of task ${quote(taskId)}`;
    const [type, text] = codec.encodeSync(value, owner) ?? (await codec.encode(value, owner));
    encoded.push([idx, channel, type, text]);
  }
  const set = record ? sql.withRecord : sql;
  // Without the clock's refresh when the saver set the clock within the grain.
  const q = target.clockFresh ? set.fresh : set;
  const tail = record ?? [];
  if (encoded.length === 1) {
    const [idx, channel, type, text] = encoded[0]!;
    const statement = rows[0]!.replaces ? q.writeReplace : q.writeKeep;
    return {
      text: statement,
      params: [...head, idx, taskId, taskPath, channel, type, text, ...tail],
    };
  }
  return {
    text: q.writeMany,
    params: [...head, taskId, taskPath, JSON.stringify(encoded), ...tail],
  };
}
