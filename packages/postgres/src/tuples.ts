// Reading a checkpoint row back into a tuple. Every stored value goes
// through core's `decodeStored`, so a value that cannot be decoded is a
// CorruptValueError naming the thread, namespace and checkpoint (and the
// task and channel of a write), and the decoded checkpoint and metadata are
// shape-checked: damage never surfaces as a raw TypeError, and never reads
// as an empty, finished thread.
import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  CorruptValueError,
  channelBlobs,
  checkStoredCheckpoint,
  decodeStored,
  joinListChain,
  LIST_TAIL_TYPE,
  type ListChains,
  type ListLink,
  type ListWrite,
  migratePendingSends,
  nextUniqueVersion,
  quote,
  type StoredLocation,
  tupleOf,
} from "@savepoint/core";
import { keyOf, nsKeyOf } from "./identifiers.js";
import type { Queryable, Row } from "./sql.js";
import type { Statements } from "./statements.js";
import type { ValueCodec } from "./values.js";

/** One stored write as the tuple queries aggregate it: `[task_id, channel, type, value]`. */
type StoredWrite = [taskId: string, channel: string, type: string, text: string];

/**
 * The tuple of one row of the tuple queries (`tupleById`, `latestTuple`, a
 * `list` page), every value decoded and checked.
 *
 * @example
 * ```ts
 * const [row] = await db.query(sql.latestTuple, [tk, nk, threadId, ns]);
 * const tuple = row ? await rowToTuple(row, codec) : undefined;
 * ```
 */
export async function rowToTuple(row: Row, codec: ValueCodec): Promise<CheckpointTuple> {
  const threadId = row.thread_id as string;
  const ns = row.checkpoint_ns as string;
  const checkpointId = row.checkpoint_id as string;
  const at: StoredLocation = { threadId, ns, checkpointId };

  const decoded = await decodeStored({ ...at, part: "checkpoint" }, () =>
    codec.decode(row.type as string, row.checkpoint as string),
  );
  // A row written since channel values are stored apart lists them by version.
  if (
    row.split === true &&
    typeof decoded === "object" &&
    decoded !== null &&
    (decoded as Record<string, unknown>).channel_values === undefined
  ) {
    const stored = decodeStored({ ...at, part: "checkpoint" }, () =>
      storedValues(row.channel_values),
    );
    const values: Record<string, unknown> = {};
    // Each channel's links come together, its own row first, then the
    // bases of a list stored as tails, down to the full copy.
    for (let i = 0; i < stored.length; ) {
      const channel = stored[i]![0];
      let end = i + 1;
      while (end < stored.length && stored[end]![0] === channel) end++;
      const [, type, text] = stored[i]!;
      const where = { ...at, part: "channel value", channel };
      let value: unknown;
      if (type === LIST_TAIL_TYPE) {
        const links: ListLink[] = [];
        for (let j = i; j < end; j++) {
          const [, linkType, linkText, offset] = stored[j]!;
          if (linkText === null) break;
          const tail = linkType === LIST_TAIL_TYPE;
          const decoded = await decodeStored(where, () =>
            codec.decode(tail ? codec.json.type : linkType, linkText),
          );
          links.push(tail ? { value: decoded, offset: offset ?? -1 } : { value: decoded });
          if (!tail) break;
        }
        value = joinListChain(links, where);
      } else if (type === "empty" || text === null) {
        i = end;
        continue;
      } else value = await decodeStored(where, () => codec.decode(type, text));
      i = end;
      Object.defineProperty(values, channel, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    (decoded as Record<string, unknown>).channel_values = values;
  }
  const checkpoint = checkStoredCheckpoint(decoded, at);
  const metadata = checkMetadata(
    decodeStored({ ...at, part: "metadata" }, () =>
      codec.metadataFromJsonb(row.metadata as string),
    ),
    at,
  );
  const stored = decodeStored({ ...at, part: "writes" }, () => storedWrites(row.writes));
  const pendingWrites: CheckpointPendingWrite[] = new Array(stored.length);
  for (let i = 0; i < stored.length; i++) {
    const [taskId, channel, type, text] = stored[i]!;
    const where = { ...at, part: "write", taskId, channel };
    pendingWrites[i] = [taskId, channel, await decodeStored(where, () => codec.decode(type, text))];
  }
  return tupleOf({
    threadId,
    ns,
    checkpointId,
    checkpoint,
    metadata,
    parentId: row.parent_checkpoint_id as string | null,
    pendingWrites,
  });
}

// Metadata is stored as jsonb, so it is always JSON; what can be wrong is its
// shape (an object is what every reader expects) or a tagged value inside.
function checkMetadata(value: unknown, at: StoredLocation): CheckpointMetadata {
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return value as CheckpointMetadata;
  const what = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
  throw new CorruptValueError(`metadata that is ${what}`, { where: { ...at, part: "metadata" } });
}

// Both drivers parse json columns already; a client configured to return raw
// text (a custom postgres.js `types` option) still works.
function storedWrites(value: unknown): StoredWrite[] {
  const parsed = typeof value === "string" ? JSON.parse(value) : value;
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed)) throw new CorruptValueError("a writes aggregate that is not a list");
  return parsed as StoredWrite[];
}

/**
 * A checkpoint of LangGraph's format < 4 kept pending sends as writes of its
 * parent: they become its `__pregel_tasks` channel (core's
 * `migratePendingSends`). One more query, for such a checkpoint only.
 *
 * @example
 * ```ts
 * const tuple = await withPendingSends(db, sql, codec, await rowToTuple(row, codec));
 * ```
 */
export async function withPendingSends(
  db: Queryable,
  sql: Statements,
  codec: ValueCodec,
  tuple: CheckpointTuple,
): Promise<CheckpointTuple> {
  const parentId = tuple.parentConfig?.configurable?.checkpoint_id as string | undefined;
  if (!(tuple.checkpoint.v < 4) || parentId === undefined) return tuple;
  const threadId = tuple.config.configurable!.thread_id as string;
  const ns = tuple.config.configurable!.checkpoint_ns as string;
  const [parent] = await db.query(sql.tupleById, [
    keyOf(threadId),
    nsKeyOf(ns),
    parentId,
    threadId,
    ns,
  ]);
  if (parent) {
    const { pendingWrites } = await rowToTuple(parent, codec);
    migratePendingSends(tuple.checkpoint, pendingWrites ?? [], nextUniqueVersion);
  }
  return tuple;
}

/**
 * The channel values a `put` stores, as the put statements take them: one
 * json array of `[channel, version, type, value, base, baseLength]`, one per
 * channel in `newVersions` (type "empty" and no value for a channel that is
 * absent; a list stored as a tail names its base version and length). With
 * `lists`, list values go through it (saver-kit/list-chains.ts) and the
 * writes it made are returned, for `committed` once the put is stored.
 *
 * @example
 * ```ts
 * const { json } = await encodeBlobs(codec, checkpoint, newVersions, checkpoint.id);
 * ```
 */
export async function encodeBlobs(
  codec: ValueCodec,
  checkpoint: Checkpoint,
  newVersions: ChannelVersions,
  checkpointId: string,
  lists?: { chains: ListChains; threadId: string; ns: string; parentId: string | undefined },
): Promise<{ json: string; count: number; writes: Map<string, ListWrite> }> {
  const rows: [string, string, string, string | null, string | null, number | null][] = [];
  const writes = new Map<string, ListWrite>();
  for (const blob of channelBlobs(checkpoint, newVersions)) {
    const version = String(blob.version);
    if (!blob.present) {
      rows.push([blob.channel, version, "empty", null, null, null]);
      continue;
    }
    const owner = () => `Channel ${quote(blob.channel)} of checkpoint ${quote(checkpointId)}`;
    const list = lists?.chains.encodeBlob(lists, blob, owner);
    if (list) {
      writes.set(blob.channel, list);
      rows.push(
        list.base === undefined
          ? [blob.channel, version, codec.json.type, list.text, null, null]
          : [blob.channel, version, LIST_TAIL_TYPE, list.text, list.base, list.offset],
      );
      continue;
    }
    const [type, text] =
      codec.encodeSync(blob.value, owner) ?? (await codec.encode(blob.value, owner));
    rows.push([blob.channel, version, type, text, null, null]);
  }
  return { json: JSON.stringify(rows), count: rows.length, writes };
}

// [channel, type, value, base length] per link, as the tuple queries aggregate them.
type StoredLink = [channel: string, type: string, text: string | null, offset: number | null];

function storedValues(value: unknown): StoredLink[] {
  const parsed = typeof value === "string" ? JSON.parse(value) : value;
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed))
    throw new CorruptValueError("a channel values aggregate that is not a list");
  return parsed as StoredLink[];
}
