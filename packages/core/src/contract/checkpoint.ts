import { InvalidIdentifierError } from "../errors.js";
import type { SerializerProtocol } from "../serde/serializer.js";

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
  ): Promise<void>;
  /** Removes every checkpoint and write of one thread, in every namespace. */
  deleteThread(threadId: string): Promise<void>;
  /** The version after `current` (integers by default). */
  getNextVersion?(current: ChannelVersion | undefined, channel?: unknown): ChannelVersion;
  /** The serializer the saver stores values with. */
  serde?: SerializerProtocol;
  /** What the saver guarantees beyond LangGraph's contract. */
  readonly capabilities?: SaverCapabilities;
}

/**
 * Fixed indexes of the special write channels. A write to one of these
 * replaces the previous one of the same task; other writes take their
 * position in the `writes` array and the first stored wins. The numbers are
 * LangGraph's.
 *
 * @example
 * ```ts
 * const idx = WRITES_IDX_MAP[channel] ?? position;
 * ```
 */
export const WRITES_IDX_MAP: Readonly<Record<string, number>> = Object.freeze({
  __error__: -1,
  __scheduled__: -2,
  __interrupt__: -3,
  __resume__: -4,
});

/**
 * The index a write is stored under: its fixed special index, or its position.
 *
 * @example
 * ```ts
 * writeIndex("__error__", 0); // -1
 * writeIndex("__return__", 0); // 0
 * ```
 */
export function writeIndex(channel: string, position: number): number {
  return Object.hasOwn(WRITES_IDX_MAP, channel) ? WRITES_IDX_MAP[channel]! : position;
}

/**
 * True for writes that replace an earlier write at the same index (the special channels).
 *
 * @example
 * ```ts
 * replacesOnWrite("__interrupt__"); // true
 * ```
 */
export function replacesOnWrite(channel: string): boolean {
  return Object.hasOwn(WRITES_IDX_MAP, channel);
}

/**
 * The next integer version: what `getNextVersion` returns in every Savepoint saver.
 *
 * @example
 * ```ts
 * nextIntegerVersion(undefined); // 1
 * nextIntegerVersion(4); // 5
 * ```
 */
export function nextIntegerVersion(current: ChannelVersion | undefined): number {
  if (current === undefined) return 1;
  if (typeof current === "number") return current + 1;
  const parsed = Number.parseInt(current.split(".")[0] ?? "", 10);
  return Number.isFinite(parsed) ? parsed + 1 : 1;
}

/**
 * True when every key of `filter` is in `metadata` with an equal value (deep
 * equality for objects and arrays). This is what `list`'s `filter` means in
 * every Savepoint saver.
 *
 * @example
 * ```ts
 * matchesMetadataFilter({ source: "input", step: -1, parents: {} }, { source: "input" }); // true
 * ```
 */
export function matchesMetadataFilter(
  metadata: Record<string, unknown> | undefined,
  filter: Record<string, unknown> | undefined,
): boolean {
  if (!filter) return true;
  for (const key of Object.keys(filter)) {
    if (!metadata || !Object.hasOwn(metadata, key) || !deepEqual(metadata[key], filter[key]))
      return false;
  }
  return true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (
      !Object.hasOwn(b, k) ||
      !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Compares two strings by Unicode code point (UTF-8 byte order), not by
 * UTF-16 code unit as `<` does; the order `pendingWrites` are returned in.
 *
 * @example
 * ```ts
 * compareCodePoints("\u{1F600}", "\uFFFF") > 0; // true, though "\u{1F600}" < "\uFFFF" in UTF-16
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Orders stored writes as every saver returns them: by task path, then task
 * id (both by code point), then index.
 *
 * @example
 * ```ts
 * rows.sort((a, b) => compareWrites(a.taskPath, a.taskId, a.idx, b.taskPath, b.taskId, b.idx));
 * ```
 */
export function compareWrites(
  pathA: string,
  taskA: string,
  idxA: number,
  pathB: string,
  taskB: string,
  idxB: number,
): number {
  return compareCodePoints(pathA, pathB) || compareCodePoints(taskA, taskB) || idxA - idxB;
}

/**
 * The thread id of a config, checked: a non-empty string, or an
 * `InvalidIdentifierError` that says what to pass.
 *
 * @example
 * ```ts
 * const threadId = requireThreadId(config, "getTuple");
 * ```
 */
export function requireThreadId(config: RunnableConfig | undefined, method: string): string {
  const threadId = config?.configurable?.thread_id;
  if (typeof threadId !== "string" || threadId.length === 0) {
    throw new InvalidIdentifierError(
      `${method}: configurable.thread_id`,
      threadId,
      "pass a non-empty string as { configurable: { thread_id } }",
    );
  }
  return threadId;
}

/**
 * The checkpoint id a config names for `putWrites`, checked.
 *
 * @example
 * ```ts
 * const checkpointId = requireCheckpointId(config, "putWrites");
 * ```
 */
export function requireCheckpointId(config: RunnableConfig | undefined, method: string): string {
  const id = config?.configurable?.checkpoint_id;
  if (typeof id !== "string" || id.length === 0) {
    throw new InvalidIdentifierError(
      `${method}: configurable.checkpoint_id`,
      id,
      "writes belong to a checkpoint: pass the config that put() returned",
    );
  }
  return id;
}
