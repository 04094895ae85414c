// The convenience methods of LangGraph's BaseCheckpointSaver that LangGraph.js
// calls on any checkpointer, written once over the saver contract so every
// Savepoint saver is a drop-in without extending LangGraph's class.
import type {
  Checkpoint,
  CheckpointPendingWrite,
  CheckpointSaver,
  RunnableConfig,
} from "../contract/checkpoint.js";

/**
 * What {@link deltaChannelHistory} returns per channel: the channel's writes
 * on the ancestors of a checkpoint, oldest first, and the value stored at
 * the nearest ancestor that has one (absent: start empty).
 *
 * @example
 * ```ts
 * const { writes, seed } = (await saver.getDeltaChannelHistory({ config, channels: ["messages"] })).messages!;
 * ```
 */
export interface ChannelHistory {
  /** The channel's writes on the ancestors, oldest first. */
  writes: CheckpointPendingWrite[];
  /** The value at the nearest ancestor that stores one; absent: start empty. */
  seed?: unknown;
}

/**
 * The checkpoint `config` names (or the latest), without its tuple.
 *
 * @example
 * ```ts
 * const checkpoint = await getCheckpoint(saver, { configurable: { thread_id: "t" } });
 * ```
 */
export async function getCheckpoint(
  saver: Pick<CheckpointSaver, "getTuple">,
  config: RunnableConfig,
): Promise<Checkpoint | undefined> {
  return (await saver.getTuple(config))?.checkpoint;
}

/**
 * LangGraph's `getDeltaChannelHistory`: for each channel, walk the parents of
 * the checkpoint `config` names (each ancestor read once), collect that
 * channel's writes, and stop at the nearest ancestor whose `channel_values`
 * holds the channel (its value is the seed). Writes come back oldest first,
 * each checkpoint's in the order `getTuple` returns them.
 *
 * @example
 * ```ts
 * getDeltaChannelHistory(options) { return deltaChannelHistory(this, options); }
 * ```
 */
export async function deltaChannelHistory(
  saver: Pick<CheckpointSaver, "getTuple">,
  options: { config: RunnableConfig; channels: string[] },
): Promise<Record<string, ChannelHistory>> {
  const { config, channels } = options;
  const result: Record<string, ChannelHistory> = {};
  if (channels.length === 0) return result;
  // Newest ancestor first while walking; reversed at the end.
  const newestFirst = new Map<string, CheckpointPendingWrite[]>(channels.map((c) => [c, []]));
  const seeds = new Map<string, unknown>();
  const open = new Set(channels);
  let cursor = (await saver.getTuple(config))?.parentConfig;
  while (cursor && open.size > 0) {
    const tuple = await saver.getTuple(cursor);
    if (!tuple) break;
    const own = new Map<string, CheckpointPendingWrite[]>();
    for (const write of tuple.pendingWrites ?? []) {
      if (!open.has(write[1])) continue;
      const list = own.get(write[1]);
      if (list) list.push(write);
      else own.set(write[1], [write]);
    }
    for (const [channel, writes] of own) newestFirst.get(channel)!.push(...writes.reverse());
    for (const channel of [...open]) {
      if (Object.hasOwn(tuple.checkpoint.channel_values, channel)) {
        seeds.set(channel, tuple.checkpoint.channel_values[channel]);
        open.delete(channel);
      }
    }
    cursor = tuple.parentConfig;
  }
  for (const channel of channels) {
    const entry: ChannelHistory = { writes: newestFirst.get(channel)!.reverse() };
    if (seeds.has(channel)) entry.seed = seeds.get(channel);
    result[channel] = entry;
  }
  return result;
}
