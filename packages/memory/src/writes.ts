// A task's writes as MemorySaver stores them: encoded first (every value is
// checked before anything changes), then stored in one synchronous step.
// `putWrites` does this for one task, `putWritesBatch` for several, through
// the saver's one `storeWrites`.
import {
  checkIdentifier,
  type IndexedWrite,
  indexWrites,
  type Owner,
  type PendingWrite,
  type PutWritesOptions,
} from "@savepoint/core";
import { keptKey, sameElements } from "./encode-once.js";
import type { Encoded, Namespace, StoredWrite } from "./storage.js";
import type { PreparedUpdate } from "./thread-records.js";

/**
 * The writes of task `taskId`, each value encoded with `encode`. A write
 * holding the very interrupts a thread record carries (`shared`: the list
 * and the record's text) takes that text instead of encoding them again.
 * Synchronous while `encode` is (Savepoint's serializer): a promise only
 * from the first value another serializer encodes asynchronously.
 */
export function encodeTaskWrites(
  taskId: string,
  taskPath: string,
  writes: PendingWrite[],
  encode: (value: unknown, owner: Owner) => Encoded | Promise<Encoded>,
  shared?: { interrupts: readonly unknown[]; text: string },
): StoredWrite[] | Promise<StoredWrite[]> {
  return encodeRows(taskId, taskPath, encode, shared, indexWrites(writes), 0, []);
}

// Encodes rows[from..] onto `encoded`; after an asynchronous value, the rest
// follow it. Positional, so the per-task path allocates no state object.
function encodeRows(
  taskId: string,
  taskPath: string,
  encode: (value: unknown, owner: Owner) => Encoded | Promise<Encoded>,
  shared: { interrupts: readonly unknown[]; text: string } | undefined,
  rows: readonly IndexedWrite[],
  from: number,
  encoded: StoredWrite[],
): StoredWrite[] | Promise<StoredWrite[]> {
  for (let i = from; i < rows.length; i++) {
    const { idx, channel, value, replaces } = rows[i]!;
    checkIdentifier("putWrites: write channel", channel, { allowEmpty: true });
    const stored =
      shared !== undefined && sameElements(value, shared.interrupts)
        ? shared.text
        : encode(value, () => `Write "${channel}" of task "${taskId}"`);
    if (stored instanceof Promise) {
      return stored.then((text) => {
        encoded.push({ taskId, taskPath, idx, channel, value: text, replaces });
        return encodeRows(taskId, taskPath, encode, shared, rows, i + 1, encoded);
      });
    }
    encoded.push({ taskId, taskPath, idx, channel, value: stored, replaces });
  }
  return encoded;
}

/**
 * Stores encoded writes against `checkpointId`: a special channel's write
 * replaces the one at its index, any other is kept only if the slot is empty.
 */
export function storeTaskWrites(
  space: Namespace,
  checkpointId: string,
  encoded: readonly StoredWrite[],
): void {
  let forCheckpoint = space.writes.get(checkpointId);
  if (!forCheckpoint) {
    forCheckpoint = new Map();
    space.writes.set(checkpointId, forCheckpoint);
  }
  for (const write of encoded) {
    const key = keptKey(String(write.idx), write.taskId);
    if (write.replaces || !forCheckpoint.has(key)) forCheckpoint.set(key, write);
  }
}

/**
 * What a pause's write and its thread record share: the same interrupts
 * (the same objects, in a list of their own), whose text the record already
 * holds, so the write takes that text instead of encoding them again.
 */
export function sharedInterrupts(
  thread: PreparedUpdate | undefined,
  options: PutWritesOptions | undefined,
): { interrupts: readonly unknown[]; text: string } | undefined {
  const interrupts = options?.thread?.interrupts;
  return typeof thread?.interrupts === "string" && interrupts !== undefined
    ? { interrupts, text: thread.interrupts }
    : undefined;
}
