import {
  type CheckpointTuple,
  CorruptValueError,
  compareStoredWrites,
  migratePendingSends,
  nextUniqueVersion,
  quote,
  type StoredLocation,
  tupleOf,
} from "@savepoint/core";
import type { Connection } from "./connection.js";
import { parseMember, type ThreadKeys, taskOfField, toHex } from "./keys.js";
import type { DecodedWrite, RecordCodec } from "./records.js";
import { type Reply, SCRIPTS } from "./scripts.js";

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
 * The records of one checkpoint as the read scripts return them: `writes`
 * alternates write fields and records; `blobs` holds the channel value
 * records the checkpoint record's header lists, in its order (null: none
 * stored).
 */
export interface TupleRecords {
  member: string;
  checkpoint: Buffer;
  metadata: Buffer;
  writes: Buffer[];
  blobs: (Buffer | null)[];
}

/**
 * The tuple of checkpoint `records.member` of thread `threadId` from its
 * records, `channel_values` rebuilt from its channel value records.
 *
 * @example
 * ```ts
 * const tuple = await readTuple(codec, "t", { member, checkpoint, metadata, writes, blobs });
 * ```
 */
export async function readTuple(
  codec: RecordCodec,
  threadId: string,
  records: TupleRecords,
): Promise<CheckpointTuple> {
  const { member, metadata: metadataRecord, writes: writeRecords } = records;
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
    codec.decodeCheckpoint(records.checkpoint, at, records.blobs),
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

/**
 * Reads single checkpoints with the get script, as `getTuple` does.
 *
 * @example
 * ```ts
 * const reader = new TupleReader(connection, codec, "0");
 * const tuple = await reader.read(keys, "t", "", undefined); // the latest of the root namespace
 * ```
 */
export class TupleReader {
  constructor(
    private readonly connection: Connection,
    private readonly codec: RecordCodec,
    /** The retention argument of a read ("0": no refresh; see options.ts). */
    readonly readTtl: string,
  ) {}

  /** The tuple of one checkpoint (the latest of `ns` for no id): one script call. */
  async read(
    keys: ThreadKeys,
    threadId: string,
    ns: string,
    checkpointId: string | undefined,
  ): Promise<CheckpointTuple | undefined> {
    const reply = (await this.connection.run("getTuple", SCRIPTS.get, keys, [
      toHex(ns),
      checkpointId === undefined ? "" : toHex(checkpointId),
      this.readTtl,
    ])) as Reply[] | null;
    if (!reply) return undefined;
    const [status, member, checkpoint, metadata, writes, blobs] = reply as [
      number,
      Buffer,
      Buffer,
      Buffer,
      Buffer[],
      (Buffer | null)[],
    ];
    const m = member.toString();
    if (status !== 1) throw missingRecord(threadId, m, checkpoint.toString());
    return readTuple(this.codec, threadId, { member: m, checkpoint, metadata, writes, blobs });
  }

  /**
   * `tuple`, upgraded when its checkpoint is of LangGraph's format before 4,
   * which kept pending sends as writes of the parent: they become its
   * `__pregel_tasks` channel (core's `migratePendingSends`). That costs one
   * more read, of the parent, for such a checkpoint only.
   */
  async migrated(
    keys: ThreadKeys,
    threadId: string,
    ns: string,
    tuple: CheckpointTuple,
  ): Promise<CheckpointTuple> {
    const parentId = tuple.parentConfig?.configurable?.checkpoint_id as string | undefined;
    if (!(tuple.checkpoint.v < 4) || parentId === undefined) return tuple;
    const parent = await this.read(keys, threadId, ns, parentId);
    if (parent) {
      migratePendingSends(tuple.checkpoint, parent.pendingWrites ?? [], nextUniqueVersion);
    }
    return tuple;
  }
}
