import {
  type CheckpointTuple,
  CorruptValueError,
  compareStoredWrites,
  quote,
  type StoredLocation,
  tupleOf,
} from "@savepoint/core";
import { parseMember, taskOfField } from "./keys.js";
import type { DecodedWrite, RecordCodec } from "./records.js";

// Tuples from what the scripts return. Every record is decoded with its
// location, so damage is a CorruptValueError naming the thread, namespace
// and checkpoint (and the task and channel of a write), never a TypeError
// or a thread that looks empty or finished.

/**
 * Where checkpoint `member` ("nsHex!cidHex") of a thread is stored.
 *
 * @example
 * ```ts
 * locate("t", "!6331"); // { threadId: "t", ns: "", checkpointId: "c1" }
 * ```
 */
export function locate(threadId: string, member: string): StoredLocation {
  const parsed = parseMember(member);
  if (!parsed) {
    throw new CorruptValueError(`an index entry ${quote(member)} that names no checkpoint`, {
      where: { threadId },
    });
  }
  return { threadId, ns: parsed.ns, checkpointId: parsed.checkpointId };
}

/**
 * The error for a checkpoint the index lists (or that is the head) whose
 * `part` record ("checkpoint" or "metadata") is gone.
 *
 * @example
 * ```ts
 * throw missingRecord("t", "!6331", "checkpoint");
 * ```
 */
export function missingRecord(threadId: string, member: string, part: string): CorruptValueError {
  return new CorruptValueError(
    `its ${part} record is missing though the thread's index lists the checkpoint: deleted by ` +
      "hand, evicted by a maxmemory policy, or lost in a partial restore",
    { where: { ...locate(threadId, member), part } },
  );
}

/**
 * The tuple of checkpoint `member` of thread `threadId` from its records;
 * `writeRecords` alternates write fields and records, as the scripts return them.
 *
 * @example
 * ```ts
 * const tuple = await readTuple(codec, "t", member, checkpoint, metadata, writes);
 * ```
 */
export async function readTuple(
  codec: RecordCodec,
  threadId: string,
  member: string,
  checkpointRecord: Buffer,
  metadataRecord: Buffer,
  writeRecords: Buffer[],
): Promise<CheckpointTuple> {
  const at = locate(threadId, member);
  const writes: Promise<DecodedWrite>[] = [];
  for (let i = 0; i + 1 < writeRecords.length; i += 2) {
    // The field names the task even when the record is too damaged to.
    const taskId = taskOfField(writeRecords[i]!.toString());
    writes.push(
      codec.decodeWrite(writeRecords[i + 1]!, taskId === undefined ? at : { ...at, taskId }),
    );
  }
  const [{ checkpoint, parentId }, metadata, decoded] = await Promise.all([
    codec.decodeCheckpoint(checkpointRecord, at),
    codec.decodeMetadata(metadataRecord, at),
    Promise.all(writes),
  ]);
  return tupleOf({
    threadId,
    ns: at.ns!,
    checkpointId: at.checkpointId!,
    checkpoint,
    metadata,
    parentId,
    pendingWrites: decoded.sort(compareStoredWrites).map((w) => [w.taskId, w.channel, w.value]),
  });
}
