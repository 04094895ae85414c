// The convenience methods of LangGraph's BaseCheckpointSaver that LangGraph.js
// calls on any checkpointer, written once over the saver contract so every
// Savepoint saver is a drop-in without extending LangGraph's class.
import type {
  ChannelVersion,
  Checkpoint,
  CheckpointPendingWrite,
  CheckpointSaver,
  CheckpointTuple,
  RunnableConfig,
} from "../contract/checkpoint.js";
import { nextUniqueVersion } from "./versions.js";

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

/**
 * The methods LangGraph's `BaseCheckpointSaver` adds beyond the saver
 * contract, written once: extend it, implement the contract, and LangGraph.js
 * takes the saver as a drop-in. `getNextVersion` gives a counter plus a part
 * unique to the call ({@link nextUniqueVersion}: forked branches never share
 * a stored value), `get` and `getDeltaChannelHistory` read through
 * `getTuple`, and `toJSON` shows the class name, never the storage (LangGraph
 * puts checkpointers in configs that may be logged).
 *
 * @example
 * ```ts
 * class MySaver extends LangGraphSaverMethods implements CheckpointSaver {
 *   async getTuple(config: RunnableConfig) { return undefined; }
 *   // list, put, putWrites, deleteThread …
 * }
 * JSON.stringify({ saver: new MySaver() }); // '{"saver":"[MySaver]"}'
 * ```
 */
export abstract class LangGraphSaverMethods {
  /** The contract's read, which `get` and `getDeltaChannelHistory` go through. */
  abstract getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined>;

  /**
   * The version after `current`. Declared as returning `any` so that
   * LangGraph's `compile({ checkpointer })` takes the saver without a cast:
   * LangGraph types that option with number versions, though its runtime
   * stores string versions as well.
   *
   * @example
   * ```ts
   * saver.getNextVersion(undefined); // "0000000000000001.0k3j9x2m1"
   * ```
   */
  getNextVersion(current: ChannelVersion | undefined, _channel?: unknown): any {
    return nextUniqueVersion(current);
  }

  /**
   * The checkpoint `config` names (or the latest), without its tuple.
   *
   * @example
   * ```ts
   * const checkpoint = await saver.get({ configurable: { thread_id: "t1" } });
   * ```
   */
  get(config: RunnableConfig): Promise<Checkpoint | undefined> {
    return getCheckpoint(this, config);
  }

  /**
   * LangGraph's walk over a checkpoint's ancestors that rebuilds its
   * `DeltaChannel` channels (see {@link deltaChannelHistory}).
   *
   * @example
   * ```ts
   * await saver.getDeltaChannelHistory({ config, channels: ["messages"] });
   * ```
   */
  getDeltaChannelHistory(options: {
    config: RunnableConfig;
    channels: string[];
  }): Promise<Record<string, ChannelHistory>> {
    return deltaChannelHistory(this, options);
  }

  /**
   * What `JSON.stringify` shows of the saver: its class name.
   *
   * @example
   * ```ts
   * JSON.stringify({ saver }); // '{"saver":"[MemorySaver]"}'
   * ```
   */
  toJSON(): string {
    return `[${this.constructor.name}]`;
  }
}
