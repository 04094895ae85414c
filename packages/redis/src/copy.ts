import { checkThreadId, InvalidArgumentError, quote } from "@savepoint/core";
import type { Connection } from "./connection.js";
import type { IdleClock } from "./idle-clock.js";
import type { ThreadKeys } from "./keys.js";
import { RETENTION_SCRIPTS } from "./retention-lua.js";
import type { ThreadIndex } from "./thread-index.js";
import type { ThreadRecords } from "./thread-records.js";

// `copyThread`: on a Cluster the two threads' keys are in different slots,
// so no one script can do it. The source is read whole by one script in its
// slot (one consistent moment of it: dump), and the copy written whole by
// one script in the target's slot, which refuses if the target has anything
// at all (copy): never a merge, and of two copies racing to one id exactly
// one lands. Checkpoint ids, writes, channel values and head pointers (the
// index entries) are the same bytes; the record is the source's with new
// times and no lease (see COPY in retention-lua.ts), and with a ttl the copy
// gets an idle clock of its own. Its entries in the thread index and the
// listing sets follow the script.

/** What a copy writes with: the saver's parts. */
export interface CopyContext {
  connection: Connection;
  index: ThreadIndex;
  records: ThreadRecords;
  clock: IdleClock;
  /** The write's retention argument (options.ts). */
  retention: string;
  /** The copy script's KEYS for the target's keys (the idle keys after them on one Redis). */
  scriptKeys(keys: ThreadKeys): readonly string[];
  /** Whether the idle set is updated after the script (a Cluster with a ttl). */
  followUp: boolean;
  keysOf(threadId: string): ThreadKeys;
}

/**
 * Copies thread `from` to the new thread `to` (see the top of this file).
 *
 * @example
 * ```ts
 * await copyThread(context, "order-42", "order-42-retry");
 * ```
 */
export async function copyThread(context: CopyContext, from: string, to: string): Promise<void> {
  const { connection } = context;
  const fromKeys = context.keysOf(checkThreadId(from, "copyThread (from)"));
  const toKeys = context.keysOf(checkThreadId(to, "copyThread (to)"));
  const dump = (await connection.run(
    "copyThread",
    RETENTION_SCRIPTS.dump,
    fromKeys,
    [],
  )) as Buffer[][];
  if (dump[0]!.length === 0) {
    throw new InvalidArgumentError(
      `copyThread: thread ${quote(from)} has no checkpoints to copy. Check the source thread id.`,
    );
  }
  const args: (string | Buffer)[] = [context.retention];
  for (const section of dump) args.push(String(section.length), ...section);
  const [status, updatedAt, touched, workflow] = (await connection.call("copyThread", () =>
    RETENTION_SCRIPTS.copy.run(connection.client, context.scriptKeys(toKeys), args),
  )) as [number, number?, number?, Buffer?];
  if (status !== 1) {
    throw new InvalidArgumentError(
      `copyThread: thread ${quote(to)} already has stored checkpoints, writes or a record; a copy ` +
        `never merges into a thread: delete it first or choose a new id.`,
    );
  }
  const record = fieldsOf(dump[7]!);
  const entrypoint = record.get("e");
  const recordStatus = record.get("s");
  await Promise.all([
    context.index.added("copyThread", toKeys),
    entrypoint !== undefined && recordStatus !== undefined && (updatedAt ?? 0) > 0
      ? context.records.list(toKeys.threadHex, entrypoint, recordStatus, updatedAt!)
      : undefined,
    context.followUp ? context.clock.written(toKeys.threadHex, touched ?? 0, workflow) : undefined,
  ]);
}

// The text fields of a record's HGETALL.
function fieldsOf(flat: readonly Buffer[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    out.set(flat[i]!.toString("utf8"), flat[i + 1]!.toString("utf8"));
  }
  return out;
}
