// Channel values stored once per (channel, version), as LangGraph's own
// Postgres saver stores them: a `put` writes only the channels `newVersions`
// names, and a read rebuilds `channel_values` from the versions the
// checkpoint lists. A thread whose state grows (a chat history) then costs
// one copy of each version, not a full copy per checkpoint, and a write's
// cost does not grow with the thread's length.
import type {
  ChannelVersion,
  ChannelVersions,
  Checkpoint,
  CheckpointPendingWrite,
} from "../contract/checkpoint.js";
import { nextIntegerVersion } from "./versions.js";

/**
 * One channel value to store: `present: false` records that the channel was
 * emptied at that version (LangGraph's "empty" blob).
 *
 * @example
 * ```ts
 * for (const blob of channelBlobs(checkpoint, newVersions)) store(blob.channel, blob.version, blob);
 * ```
 */
export interface ChannelBlob {
  /** The channel. */
  channel: string;
  /** The version it was written at. */
  version: ChannelVersion;
  /** False when the channel was emptied at this version. */
  present: boolean;
  /** The value, when present. */
  value: unknown;
}

/**
 * The channel values a `put` stores: one per channel in `newVersions`.
 *
 * @example
 * ```ts
 * const blobs = channelBlobs(checkpoint, newVersions);
 * ```
 */
export function channelBlobs(checkpoint: Checkpoint, newVersions: ChannelVersions): ChannelBlob[] {
  const values = checkpoint.channel_values ?? {};
  const blobs: ChannelBlob[] = [];
  for (const channel of Object.keys(newVersions ?? {})) {
    const present = Object.hasOwn(values, channel);
    blobs.push({
      channel,
      version: newVersions[channel]!,
      present,
      value: present ? values[channel] : undefined,
    });
  }
  return blobs;
}

/**
 * The checkpoint as stored beside its blobs: everything but `channel_values`.
 *
 * @example
 * ```ts
 * const stored = checkpointWithoutValues(checkpoint);
 * ```
 */
export function checkpointWithoutValues(
  checkpoint: Checkpoint,
): Omit<Checkpoint, "channel_values"> {
  const { channel_values: _values, ...rest } = checkpoint;
  return rest;
}

/**
 * The key of one stored channel value, for savers that keep them in a map:
 * the channel and the version's text (LangGraph's blob key).
 *
 * @example
 * ```ts
 * blobs.get(channelVersionKey("messages", 3));
 * ```
 */
export function channelVersionKey(channel: string, version: ChannelVersion): string {
  return `${channel}\u0000${String(version)}`;
}

/**
 * `channel_values` rebuilt from the versions a checkpoint lists: `lookup`
 * gives the stored value of (channel, version), `{ present: false }` for an
 * emptied channel, or `undefined` when nothing was stored for that version.
 *
 * @example
 * ```ts
 * checkpoint.channel_values = channelValuesOf(stored.channel_versions, (c, v) => blobs.get(key(c, v)));
 * ```
 */
export function channelValuesOf(
  versions: ChannelVersions,
  lookup: (
    channel: string,
    version: ChannelVersion,
  ) => { present: boolean; value?: unknown } | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const channel of Object.keys(versions ?? {})) {
    const blob = lookup(channel, versions[channel]!);
    if (blob?.present) {
      Object.defineProperty(values, channel, {
        value: blob.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return values;
}

/**
 * The channel LangGraph keeps pending `Send`s in (its `TASKS`).
 *
 * @example
 * ```ts
 * const sends = tuple.checkpoint.channel_values[TASKS_CHANNEL];
 * ```
 */
export const TASKS_CHANNEL = "__pregel_tasks";

/**
 * The greatest of `versions` (numbers numerically; strings, as LangGraph
 * writes them zero-padded, by text).
 *
 * @example
 * ```ts
 * maxChannelVersion(1, 3, 2); // 3
 * ```
 */
export function maxChannelVersion(...versions: ChannelVersion[]): ChannelVersion {
  let max = versions[0]!;
  for (const version of versions.slice(1)) {
    if (typeof max === "number" && typeof version === "number") {
      if (version > max) max = version;
    } else if (String(version) > String(max)) {
      max = version;
    }
  }
  return max;
}

/**
 * Upgrades a checkpoint written before LangGraph's format version 4, which
 * kept pending `Send`s as writes of the parent checkpoint rather than as a
 * channel: they become `channel_values.__pregel_tasks`, at a version no
 * lower than any other channel's. `checkpoint` is changed in place.
 *
 * @example
 * ```ts
 * if (checkpoint.v < 4 && parentId) migratePendingSends(checkpoint, parentTuple.pendingWrites ?? []);
 * ```
 */
export function migratePendingSends(
  checkpoint: Checkpoint,
  parentWrites: readonly CheckpointPendingWrite[],
  getNextVersion: (current: ChannelVersion | undefined) => ChannelVersion = nextIntegerVersion,
): void {
  const sends = parentWrites
    .filter(([, channel]) => channel === TASKS_CHANNEL)
    .map(([, , value]) => value);
  checkpoint.channel_values ??= {};
  checkpoint.channel_values[TASKS_CHANNEL] = sends;
  checkpoint.channel_versions ??= {};
  const existing = Object.values(checkpoint.channel_versions);
  checkpoint.channel_versions[TASKS_CHANNEL] =
    existing.length > 0 ? maxChannelVersion(...existing) : getNextVersion(undefined);
}
