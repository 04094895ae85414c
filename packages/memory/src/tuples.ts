// Reading a stored checkpoint back as a tuple: its writes in order, its
// channel values rebuilt from the versions it lists, pending sends of an old
// checkpoint migrated, and every decoding failure named by where it is.
import {
  type ChannelVersion,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  CorruptValueError,
  channelVersionKey,
  checkStoredCheckpoint,
  compareStoredWrites,
  joinListChain,
  type ListLink,
  locateDecodeError,
  migratePendingSends,
  type StoredLocation,
  tupleOf,
} from "@savepoint/core";
import {
  type Encoded,
  isTail,
  type Namespace,
  type StoredBlob,
  type StoredCheckpoint,
} from "./storage.js";

export async function readTuple(
  threadId: string,
  ns: string,
  space: Namespace,
  stored: StoredCheckpoint,
  decode: (value: Encoded) => unknown,
  nextVersion: (current: ChannelVersion | undefined) => ChannelVersion,
): Promise<CheckpointTuple> {
  const forCheckpoint = space.writes.get(stored.id);
  const writes = forCheckpoint ? [...forCheckpoint.values()] : [];
  if (writes.length > 1) writes.sort(compareStoredWrites);
  // A location is built only when a value fails to decode.
  const where = (part: string, taskId?: string, channel?: string) => ({
    threadId,
    ns,
    checkpointId: stored.id,
    part,
    taskId,
    channel,
  });
  const pendingWrites: CheckpointPendingWrite[] = new Array(writes.length);
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    let value = decodeAt(decode, w.value, where, "write", w);
    if (value instanceof Promise) value = await value;
    pendingWrites[i] = [w.taskId, w.channel, value];
  }
  let decodedValue = decodeAt(decode, stored.checkpoint, where, "checkpoint");
  if (decodedValue instanceof Promise) decodedValue = await decodedValue;
  const decoded = decodedValue as Partial<Checkpoint> | null;
  // A checkpoint is stored without its channel values; they come from the
  // values stored for the versions it lists.
  if (decoded !== null && typeof decoded === "object" && !("channel_values" in decoded)) {
    const values: Record<string, unknown> = {};
    const versions = decoded.channel_versions ?? {};
    for (const channel of Object.keys(versions)) {
      const blob = space.blobs.get(channelVersionKey(channel, versions[channel]!));
      if (!blob) continue;
      let value = isTail(blob)
        ? decodeChain(space, channel, blob, decode, where)
        : decodeAt(decode, blob, where, "channel value", { channel });
      if (value instanceof Promise) value = await value;
      // Assigned (cheap, an ordinary shape) unless the name is inherited: a
      // "__proto__" key must stay an own data property, never set the
      // prototype, and a name like "toString" must not meet a frozen one.
      if (channel in values) {
        Object.defineProperty(values, channel, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else values[channel] = value;
    }
    decoded.channel_values = values;
  }
  const checkpoint = checkStoredCheckpoint(decoded, where("checkpoint"));
  if (checkpoint.v < 4 && stored.parentId !== undefined) {
    const parent = space.checkpoints.get(stored.parentId);
    if (parent) {
      const parentWrites =
        (await readTuple(threadId, ns, space, parent, decode, nextVersion)).pendingWrites ?? [];
      migratePendingSends(checkpoint, parentWrites, nextVersion);
    }
  }
  let metadata = decodeAt(decode, stored.metadata, where, "metadata");
  if (metadata instanceof Promise) metadata = await metadata;
  return tupleOf({
    threadId,
    ns,
    checkpointId: stored.id,
    checkpoint,
    metadata: metadata as CheckpointMetadata,
    parentId: stored.parentId,
    pendingWrites,
  });
}

// A list stored as tails (saver-kit/list-chains.ts): every link down to the
// full copy, decoded and joined. A tail is Savepoint's JSON text, decoded as
// such; the full copy is an ordinary stored value.
async function decodeChain(
  space: Namespace,
  channel: string,
  head: StoredBlob,
  decode: (value: Encoded) => unknown,
  where: (part: string, taskId?: string, channel?: string) => StoredLocation,
): Promise<unknown[]> {
  const links: ListLink[] = [];
  let blob: StoredBlob | undefined = head;
  while (isTail(blob)) {
    let value = decodeAt(decode, blob.tail, where, "channel value", { channel });
    if (value instanceof Promise) value = await value;
    links.push({ value, offset: blob.offset });
    blob = space.blobs.get(channelVersionKey(channel, blob.base));
  }
  if (blob === undefined || blob === null) {
    throw new CorruptValueError("a list tail whose base version is not stored", {
      where: where("channel value", undefined, channel),
    });
  }
  let full = decodeAt(decode, blob, where, "channel value", { channel });
  if (full instanceof Promise) full = await full;
  links.push({ value: full });
  return joinListChain(links, where("channel value", undefined, channel));
}

// Decodes synchronously when the serializer allows (no await per value),
// and names where the value is stored when it fails.
function decodeAt(
  decode: (value: Encoded) => unknown,
  value: Encoded,
  where: (part: string, taskId?: string, channel?: string) => StoredLocation,
  part: string,
  of?: { taskId?: string; channel?: string },
): unknown {
  let decoded: unknown;
  try {
    decoded = decode(value);
  } catch (error) {
    throw locateDecodeError(error, where(part, of?.taskId, of?.channel));
  }
  if (decoded instanceof Promise) {
    return decoded.catch((error: unknown) => {
      throw locateDecodeError(error, where(part, of?.taskId, of?.channel));
    });
  }
  return decoded;
}
