// MemorySaver's pruning and copying (the `retention` capability). Pruning
// keeps what the saver kit's `checkpointsToKeep` says and drops the channel
// values no kept checkpoint lists; it decodes only the head of each namespace
// (for its run under way) and the versions of the checkpoints that stay.
// With Savepoint's serializer nothing awaits, so a prune is one synchronous
// step; with another serializer it may await, so it snapshots the ids first
// and removes only ids that were at or below the head it read.
import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointTuple,
  channelVersionKey,
  checkpointsToKeep,
  InvalidArgumentError,
  type PruneResult,
  quote,
  runDepthOf,
} from "@savepoint/core";
import {
  type Encoded,
  isTail,
  type MemoryStorage,
  type Namespace,
  type StoredBlob,
  type StoredCheckpoint,
  type StoredThreadRecord,
  type StoredWrite,
  ThreadSpaces,
} from "./storage.js";

/** What pruning needs from its saver: reading a stored value and a whole tuple. */
export interface StoredReader {
  decode(value: Encoded): unknown;
  tuple(
    threadId: string,
    ns: string,
    space: Namespace,
    stored: StoredCheckpoint,
  ): Promise<CheckpointTuple>;
}

/** Removes a thread entirely: every namespace, its record and its idle clock. */
export function removeThread(storage: MemoryStorage, threadId: string): void {
  storage.threads.delete(threadId);
  storage.records.delete(threadId);
  storage.lastWrite.delete(threadId);
}

/** True when some namespace of the thread has a checkpoint. */
export function hasCheckpoints(storage: MemoryStorage, threadId: string): boolean {
  for (const space of storage.threads.get(threadId)?.values() ?? []) {
    if (space.ids.length > 0) return true;
  }
  return false;
}

/** Prunes each of `threadIds` in turn (see {@link pruneThread}). */
export async function pruneThreads(
  storage: MemoryStorage,
  threadIds: readonly string[],
  keep: number,
  reader: StoredReader,
): Promise<PruneResult> {
  const result: PruneResult = { threads: 0, checkpoints: 0 };
  for (const threadId of threadIds) {
    const removed = await pruneThread(storage, threadId, keep, reader);
    if (removed === undefined) continue;
    result.threads++;
    result.checkpoints += removed;
  }
  return result;
}

/**
 * Prunes every namespace of one thread to `keep` (plus its run under way);
 * the number of checkpoints removed, or `undefined` when it has none.
 * `stillWanted` is asked once more right before anything is removed (after
 * any await): an expiry gives up when the thread was written meanwhile.
 */
export async function pruneThread(
  storage: MemoryStorage,
  threadId: string,
  keep: number,
  reader: StoredReader,
  stillWanted: () => boolean = () => true,
): Promise<number | undefined> {
  const thread = storage.threads.get(threadId);
  if (!thread || !hasCheckpoints(storage, threadId)) return undefined;
  const plans: { space: Namespace; snapshot: Set<string>; kept: Set<string> }[] = [];
  for (const [ns, space] of [...thread]) {
    if (space.ids.length === 0) continue;
    const snapshot = new Set(space.ids);
    const headId = space.ids[space.ids.length - 1]!;
    const head = await reader.tuple(threadId, ns, space, space.checkpoints.get(headId)!);
    const links = [...snapshot].map((id) => ({
      id,
      parentId: space.checkpoints.get(id)?.parentId,
    }));
    plans.push({
      space,
      snapshot,
      kept: checkpointsToKeep(links, keep, runDepthOf(head.checkpoint)),
    });
  }
  // Every (channel, version) a staying checkpoint lists: the kept ones and
  // any a concurrent put added while this awaited. Decoding may await, and a
  // put may land then, so it repeats until no staying checkpoint is unread.
  const referenced = plans.map(() => new Set<string>());
  const read = plans.map(() => new Set<string>());
  for (let unread = true; unread; ) {
    unread = false;
    for (const [i, { space, snapshot, kept }] of plans.entries()) {
      for (const id of space.ids) {
        if ((snapshot.has(id) && !kept.has(id)) || read[i]!.has(id)) continue;
        // Gone already when another prune of this thread got there first.
        const stored = space.checkpoints.get(id);
        if (!stored) continue;
        unread = true;
        read[i]!.add(id);
        const versions = await channelVersionsOf(stored, reader);
        for (const channel of Object.keys(versions)) {
          // A list stored as tails needs every base down to its full copy.
          let key = channelVersionKey(channel, versions[channel]!);
          for (let blob = space.blobs.get(key); ; blob = space.blobs.get(key)) {
            if (referenced[i]!.has(key)) break;
            referenced[i]!.add(key);
            if (!isTail(blob)) break;
            key = channelVersionKey(channel, blob.base);
          }
        }
      }
    }
  }
  // From here nothing awaits: the removal is one step.
  if (!stillWanted() || storage.threads.get(threadId) !== thread) return 0;
  let removed = 0;
  for (const [i, { space, snapshot, kept }] of plans.entries()) {
    const stays = space.ids.filter((id) => !snapshot.has(id) || kept.has(id));
    for (const id of space.ids) {
      if (!snapshot.has(id) || kept.has(id)) continue;
      space.writes.delete(id);
      if (space.checkpoints.delete(id)) removed++;
    }
    // Refilled in place (not spliced with a spread: a long thread would overflow the stack).
    space.ids.length = 0;
    for (const id of stays) space.ids.push(id);
    for (const key of [...space.blobs.keys()]) {
      if (!referenced[i]!.has(key)) space.blobs.delete(key);
    }
  }
  return removed;
}

// The versions a stored checkpoint lists; none for one stored with its
// values inline (older data), which references no stored value.
async function channelVersionsOf(
  stored: StoredCheckpoint,
  reader: StoredReader,
): Promise<ChannelVersions> {
  let decoded = reader.decode(stored.checkpoint);
  if (decoded instanceof Promise) decoded = await decoded;
  const checkpoint = decoded as Partial<Checkpoint> | null;
  if (checkpoint === null || typeof checkpoint !== "object" || "channel_values" in checkpoint)
    return {};
  return checkpoint.channel_versions ?? {};
}

/**
 * Copies thread `from` into the new thread `to`, refusing a source with no
 * checkpoints and a target that has anything stored. Synchronous: no write
 * can land between the checks and the copy.
 */
export function copyStoredThread(
  storage: MemoryStorage,
  from: string,
  to: string,
  now: number,
): void {
  const source = storage.threads.get(from);
  if (!source || !hasCheckpoints(storage, from)) {
    throw new InvalidArgumentError(
      `copyThread: thread ${quote(from)} has no checkpoints to copy. Pass the id of a thread that has run.`,
    );
  }
  if (storage.threads.has(to) || storage.records.has(to)) {
    throw new InvalidArgumentError(
      `copyThread: thread ${quote(to)} already has checkpoints; copying never merges. ` +
        `Delete it first or choose a new id.`,
    );
  }
  const copy = new ThreadSpaces();
  for (const [ns, space] of source) copy.set(ns, copyNamespace(space));
  storage.threads.set(to, copy);
  const record = storage.records.get(from);
  if (record) storage.records.set(to, copyRecord(record, to, now));
  storage.lastWrite.set(to, now);
}

function copyNamespace(space: Namespace): Namespace {
  const checkpoints = new Map<string, StoredCheckpoint>();
  for (const [id, c] of space.checkpoints) {
    checkpoints.set(id, {
      id: c.id,
      parentId: c.parentId,
      checkpoint: copyEncoded(c.checkpoint),
      metadata: copyEncoded(c.metadata),
    });
  }
  const writes = new Map<string, Map<string, StoredWrite>>();
  for (const [id, forCheckpoint] of space.writes) {
    const copied = new Map<string, StoredWrite>();
    for (const [key, w] of forCheckpoint) copied.set(key, { ...w, value: copyEncoded(w.value) });
    writes.set(id, copied);
  }
  const blobs = new Map<string, StoredBlob>();
  for (const [key, value] of space.blobs)
    blobs.set(key, value === null || isTail(value) ? value : copyEncoded(value));
  return { ids: [...space.ids], checkpoints, writes, blobs };
}

function copyRecord(record: StoredThreadRecord, threadId: string, now: number): StoredThreadRecord {
  return {
    threadId,
    entrypoint: record.entrypoint,
    status: record.status,
    interrupts: record.interrupts === undefined ? undefined : copyEncoded(record.interrupts),
    metadata: structuredClone(record.metadata),
    createdAt: now,
    updatedAt: now,
    checkpointId: record.checkpointId,
    owner: undefined,
    // No process runs the copy: a "running" copy holds a lease that has
    // already ended, so it lists as "stalled" and can be continued.
    leaseUntil: record.status === "running" ? now - 1 : undefined,
  };
}

// Text is immutable and shared safely; bytes are copied so neither thread
// can ever see a change to the other's.
function copyEncoded(value: Encoded): Encoded {
  if (typeof value === "string") return value;
  const [type, data] = value;
  return [type, typeof data === "string" ? data : data.slice()];
}
