import type { SerializerProtocol } from "../serde/serializer.js";
import type { Retention } from "./retention.js";
import type { ThreadListing, ThreadUpdate } from "./threads.js";

/**
 * A channel's version. Versions only grow; integers by default.
 *
 * @example
 * ```ts
 * const v: ChannelVersion = 3;
 * ```
 */
export type ChannelVersion = number | string;

/**
 * Channel name to version.
 *
 * @example
 * ```ts
 * const versions: ChannelVersions = { __input__: 1, __run__: 2 };
 * ```
 */
export type ChannelVersions = Record<string, ChannelVersion>;

/**
 * One saved state of a thread. The shape is LangGraph's, so savers and tools
 * written for `@langchain/langgraph-checkpoint` read it unchanged.
 *
 * @example
 * ```ts
 * const checkpoint: Checkpoint = {
 *   v: 4, id: newCheckpointId(), ts: new Date().toISOString(),
 *   channel_values: { __end__: "done" }, channel_versions: { __end__: 1 }, versions_seen: {},
 * };
 * ```
 */
export interface Checkpoint {
  /** Format version of the checkpoint (4, as LangGraph's current format). */
  v: number;
  /** Time-ordered id (UUIDv7 from Savepoint, UUIDv6 from LangGraph): string order is creation order. */
  id: string;
  /** Creation time, ISO 8601. */
  ts: string;
  /** The channels' values at this checkpoint. */
  channel_values: Record<string, unknown>;
  /** The channels' versions at this checkpoint. */
  channel_versions: ChannelVersions;
  /** For each node, the channel versions it last read. */
  versions_seen: Record<string, ChannelVersions>;
}

/**
 * Metadata stored next to a checkpoint; `filter` in `list` matches its keys exactly.
 *
 * @example
 * ```ts
 * const metadata: CheckpointMetadata = { source: "input", step: -1, parents: {}, user: "ada" };
 * ```
 */
export interface CheckpointMetadata {
  /**
   * What made the checkpoint: `"input"` a run started with a new input,
   * `"loop"` a run continued (a resume, `invoke(null)`, or progress within a
   * run), `"fork"` a run started from an older `checkpoint_id`, `"update"` a
   * state update (LangGraph's; Savepoint's runtime does not write it).
   */
  source: "input" | "loop" | "update" | "fork";
  /** The step counter: -1 for a thread's first checkpoint, then one more per checkpoint of the line. */
  step: number;
  /** Checkpoint ids of parent graphs, by namespace (LangGraph's; empty for Savepoint workflows). */
  parents: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The config that names a thread and, optionally, one of its checkpoints.
 *
 * @example
 * ```ts
 * const config: RunnableConfig = { configurable: { thread_id: "order-42" } };
 * ```
 */
export interface RunnableConfig {
  /** Which thread (and optionally which checkpoint of it) the call is about. */
  configurable?: {
    /** The thread: any stable string, such as an order or conversation id. */
    thread_id?: string;
    /** The checkpoint namespace within the thread (default `""`). */
    checkpoint_ns?: string;
    /** One checkpoint of the thread; without it, the latest. Running from an older one forks the thread. */
    checkpoint_id?: string;
    [key: string]: unknown;
  };
  /** Cancels the run when it fires. */
  signal?: AbortSignal;
  [key: string]: unknown;
}

/**
 * One write of a task: `[channel, value]`.
 *
 * @example
 * ```ts
 * const write: PendingWrite = ["__return__", "An essay about cats"];
 * ```
 */
export type PendingWrite = [channel: string, value: unknown];

/**
 * A stored write as `getTuple` returns it: `[taskId, channel, value]`.
 *
 * @example
 * ```ts
 * const [taskId, channel, value]: CheckpointPendingWrite = tuple.pendingWrites![0]!;
 * ```
 */
export type CheckpointPendingWrite = [taskId: string, channel: string, value: unknown];

/**
 * A checkpoint with its config, metadata, parent and the writes attached to it.
 *
 * @example
 * ```ts
 * const tuple = await saver.getTuple({ configurable: { thread_id: "t" } });
 * tuple?.checkpoint.id;
 * ```
 */
export interface CheckpointTuple {
  /** The config naming this checkpoint (`thread_id`, `checkpoint_ns`, `checkpoint_id`). */
  config: RunnableConfig;
  /** The checkpoint itself. */
  checkpoint: Checkpoint;
  /** The metadata stored with it. */
  metadata?: CheckpointMetadata;
  /** The config naming its parent checkpoint; absent for a thread's first. */
  parentConfig?: RunnableConfig;
  /** Writes stored against this checkpoint, ordered by task path, task id, then index. */
  pendingWrites?: CheckpointPendingWrite[];
}

/**
 * Options of {@link CheckpointSaver.list}.
 *
 * @example
 * ```ts
 * saver.list(config, { limit: 10, filter: { source: "input" } });
 * ```
 */
export interface CheckpointListOptions {
  /** At most this many tuples. */
  limit?: number;
  /** Only checkpoints older than the one this config names. */
  before?: RunnableConfig;
  /** Only checkpoints whose metadata has each of these keys with exactly this value. */
  filter?: Record<string, unknown>;
}

/**
 * The condition Savepoint's runtime asks of a `put`, so two runs continuing
 * one thread cannot both commit. Savers that honour it say so in
 * {@link SaverCapabilities.conditionalPut}.
 *
 * @example
 * ```ts
 * await saver.put(config, checkpoint, metadata, versions, { ifHead: parentId });
 * ```
 */
export interface PutOptions {
  /**
   * Commit only if the latest checkpoint of (thread, namespace) has this id,
   * or, for `null`, if the thread has no checkpoint yet; otherwise store
   * nothing and throw `CheckpointConflictError`. The check and the write are
   * one atomic step. `undefined` puts unconditionally (LangGraph's behaviour).
   */
  ifHead?: string | null;
  /**
   * Record this about the thread in the same atomic step as the checkpoint
   * (savers with {@link SaverCapabilities.threads}; root namespace only):
   * the thread's record then names this checkpoint, carries this status,
   * interrupts and lease, and merges this metadata. Nothing is recorded when
   * the put does not commit.
   */
  thread?: ThreadUpdate;
}

/**
 * Savepoint's optional fifth argument of `putWrites`.
 *
 * @example
 * ```ts
 * await saver.putWrites(config, [["__interrupt__", list]], taskId, "", { thread: { entrypoint, status: "interrupted", interrupts: list } });
 * ```
 */
export interface PutWritesOptions {
  /**
   * Record this about the thread in the same atomic step as the writes
   * (savers with {@link SaverCapabilities.threads}), but only when the
   * thread's record still names the checkpoint these writes belong to: a run
   * whose checkpoint is no longer the thread's latest cannot change its status.
   */
  thread?: ThreadUpdate;
}

/**
 * The writes of one task in a {@link CheckpointSaver.putWritesBatch}: what
 * one `putWrites(config, writes, taskId, taskPath)` call would carry.
 *
 * @example
 * ```ts
 * const entry: TaskWritesEntry = { taskId: "0:writeEssay", writes: [["__return__", "An essay"]] };
 * ```
 */
export interface TaskWritesEntry {
  /** The task the writes belong to. */
  taskId: string;
  /** Its writes, as `putWrites` takes them. */
  writes: PendingWrite[];
  /** The task's path (default ""). */
  taskPath?: string;
}

/**
 * What a saver guarantees beyond LangGraph's contract.
 *
 * @example
 * ```ts
 * class MySaver implements CheckpointSaver {
 *   readonly capabilities = { conditionalPut: true } as const;
 *   // ...
 * }
 * ```
 */
export interface SaverCapabilities {
  /** `put` honours {@link PutOptions.ifHead} atomically. */
  conditionalPut?: boolean;
  /**
   * The saver keeps a record per thread ({@link PutOptions.thread},
   * {@link PutWritesOptions.thread}), removes it in `deleteThread`, and lists
   * records with `listThreads` ({@link ThreadListing}): what
   * `workflow.threads()` and `workflow.recover()` need.
   */
  threads?: boolean;
  /**
   * The saver prunes, copies and expires threads ({@link Retention}):
   * `prune`, `copyThread` and `sweep`, keeping what a thread needs now.
   */
  retention?: boolean;
}

/**
 * The checkpoint saver contract. The method set and shapes are
 * `@langchain/langgraph-checkpoint`'s `BaseCheckpointSaver`, so a LangGraph.js
 * saver plugs into Savepoint and a Savepoint saver plugs into LangGraph.js.
 * Savepoint adds the optional fifth argument of `put` ({@link PutOptions}).
 *
 * Writes are upserted by (checkpoint, taskId, index): a write to one of the
 * special channels (see {@link WRITES_IDX_MAP}) takes its fixed negative index
 * and replaces; any other write takes its position in `writes` and is kept if
 * already present, so a retried `putWrites` changes nothing.
 *
 * @example
 * ```ts
 * const saver: CheckpointSaver = new MemorySaver();
 * const workflow = entrypoint({ name: "wf", checkpointer: saver }, async (x: number) => x + 1);
 * ```
 */
export interface CheckpointSaver {
  /** The checkpoint `checkpoint_id` names, else the latest of (thread, namespace), with its writes. */
  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined>;
  /** Checkpoints newest first; without `thread_id` in the config, across threads. */
  list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple>;
  /** Stores a checkpoint as a child of the `checkpoint_id` in `config`; returns the config naming it. */
  put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
    options?: PutOptions,
  ): Promise<RunnableConfig>;
  /** Stores writes of task `taskId` against the checkpoint in `config`. */
  putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
    options?: PutWritesOptions,
  ): Promise<void>;
  /**
   * Optional: the writes of several tasks against the checkpoint in
   * `config`, in one atomic step. The result is what `putWrites` called for
   * each entry in order would leave, with `options.thread` applied as the
   * last of them would apply it; when the step fails, nothing of it is
   * stored. Savepoint's runtime sends a pausing run's unsent task writes and
   * its interrupts this way (one commit instead of one per task) when the
   * saver has the method, and calls `putWrites` per task when it has not.
   */
  putWritesBatch?(
    config: RunnableConfig,
    batch: readonly TaskWritesEntry[],
    options?: PutWritesOptions,
  ): Promise<void>;
  /** Removes every checkpoint and write of one thread, in every namespace. */
  deleteThread(threadId: string): Promise<void>;
  /** The version after `current` (integers by default). */
  getNextVersion?(current: ChannelVersion | undefined, channel?: unknown): ChannelVersion;
  /** The serializer the saver stores values with. */
  serde?: SerializerProtocol;
  /** What the saver guarantees beyond LangGraph's contract. */
  readonly capabilities?: SaverCapabilities;
  /** Thread records, newest update first (with `capabilities.threads`; see {@link ThreadListing}). */
  listThreads?: ThreadListing["listThreads"];
  /** Old checkpoints removed (with `capabilities.retention`; see {@link Retention}). */
  prune?: Retention["prune"];
  /** A whole thread copied to a new id (with `capabilities.retention`). */
  copyThread?: Retention["copyThread"];
  /** Idle threads expired by the saver's `ttl` (with `capabilities.retention`). */
  sweep?: Retention["sweep"];
}
