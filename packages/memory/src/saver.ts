import {
  type ChannelVersions,
  type Checkpoint,
  CheckpointConflictError,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointSaver,
  type CheckpointTuple,
  channelBlobs,
  channelVersionKey,
  checkIdentifier,
  checkpointConfig,
  checkpointWithoutValues,
  checkThreadId,
  defaultSerializer,
  dumpTyped,
  indexWrites,
  LangGraphSaverMethods,
  type ListedThread,
  listLimit,
  loadTyped,
  matchesMetadataFilter,
  namespaceOf,
  type Owner,
  optionalCheckpointId,
  type PendingWrite,
  type PutOptions,
  type PutWritesOptions,
  putTarget,
  type RunnableConfig,
  requireThreadId,
  type SavepointSerializer,
  type SaverThreadQuery,
  type SerializerProtocol,
  savepointSerializerOf,
  type ThreadUpdate,
  tupleTarget,
  writesTarget,
} from "@savepoint/core";
import {
  type Encoded,
  insertSorted,
  lowerBound,
  MemoryStorage,
  type Namespace,
  type StoredCheckpoint,
  type StoredThreadRecord,
  type StoredWrite,
} from "./storage.js";
import { applyUpdate, listRecords, prepareUpdate } from "./thread-records.js";
import { readTuple } from "./tuples.js";

// The type tag of bare-text values (Savepoint's serializer's own).
const SAVEPOINT_JSON = "savepoint-json";

/**
 * Options of {@link MemorySaver}.
 *
 * @example
 * ```ts
 * new MemorySaver({ serde: new SavepointSerializer() });
 * ```
 */
export interface MemorySaverOptions {
  /** How values are encoded (default: Savepoint's serializer). */
  serde?: SerializerProtocol;
  /** Storage to share with other savers, as processes share a database (default: a new one). */
  storage?: MemoryStorage;
}

/**
 * A checkpoint saver that keeps everything in this process's memory: for
 * tests, demos and single-process use. It has the same semantics as the
 * Postgres and Redis savers (values are stored encoded, a conditional `put`
 * lets only one of two racing runs commit), and passes the same conformance
 * suite. Everything is lost when the process exits.
 *
 * @example
 * ```ts
 * import { entrypoint } from "@savepoint/core";
 * import { MemorySaver } from "@savepoint/memory";
 *
 * const workflow = entrypoint({ name: "wf", checkpointer: new MemorySaver() }, async (n: number) => n * 2);
 * await workflow.invoke(21, { configurable: { thread_id: "t1" } }); // 42
 * ```
 */
export class MemorySaver extends LangGraphSaverMethods implements CheckpointSaver {
  readonly serde: SerializerProtocol;
  readonly capabilities = {
    /** `put(..., { ifHead })` is checked and applied in one step: of two racing runs, one commits. */
    conditionalPut: true,
    /** A record per thread, changed with the write it accompanies; `listThreads` lists them. */
    threads: true,
  } as const;
  private readonly threads: Map<string, Map<string, Namespace>>;
  private readonly records: Map<string, StoredThreadRecord>;
  // Savepoint's serializer when it is this saver's: values are then kept as bare JSON text.
  private readonly ownSerializer: SavepointSerializer | undefined;

  constructor(options: MemorySaverOptions = {}) {
    super();
    this.serde = options.serde ?? defaultSerializer;
    this.ownSerializer = savepointSerializerOf(this.serde);
    const storage = options.storage ?? new MemoryStorage();
    this.threads = storage.threads;
    this.records = storage.records;
  }

  // Synchronous with Savepoint's serializer: a task write is on every task's
  // path, and an await per value costs more than encoding a small one.
  private encode(value: unknown, owner: Owner): Encoded | Promise<Encoded> {
    const ours = this.ownSerializer;
    if (ours) return ours.encode(value, owner);
    return dumpTyped(this.serde, value, owner);
  }

  private decode(value: Encoded): unknown {
    if (typeof value === "string") return loadTyped(this.serde, SAVEPOINT_JSON, value);
    return loadTyped(this.serde, value[0], value[1]);
  }

  // Metadata is decoded only for a listing that filters on it: a put stays one encode.
  private async matches(
    stored: StoredCheckpoint,
    filter: CheckpointListOptions["filter"],
  ): Promise<boolean> {
    if (filter === undefined || filter === null) return true;
    const metadata = (await this.decode(stored.metadata)) as CheckpointMetadata;
    return matchesMetadataFilter(metadata, filter);
  }

  // A write's thread update, encoded before the atomic step (root namespace only).
  private threadUpdate(update: ThreadUpdate | undefined, ns: string) {
    if (!update || ns !== "") return undefined;
    return prepareUpdate(update, this.serde, (v, o) => this.encode(v, o));
  }

  private namespace(threadId: string, ns: string, create: true): Namespace;
  private namespace(threadId: string, ns: string, create: false): Namespace | undefined;
  private namespace(threadId: string, ns: string, create: boolean): Namespace | undefined {
    let thread = this.threads.get(threadId);
    if (!thread) {
      if (!create) return undefined;
      thread = new Map();
      this.threads.set(threadId, thread);
    }
    let space = thread.get(ns);
    if (!space && create) {
      space = { ids: [], checkpoints: new Map(), writes: new Map(), blobs: new Map() };
      thread.set(ns, space);
    }
    return space;
  }

  /**
   * The checkpoint `config` names, or the latest of its (thread, namespace),
   * with its parent and pending writes; `undefined` when there is none, and
   * for a config without `thread_id` (LangGraph's contract: Savepoint's
   * runtime refuses such a config itself, with `MissingThreadIdError`). An
   * empty or ill-formed thread id is an `InvalidIdentifierError`.
   *
   * @example
   * ```ts
   * const tuple = await saver.getTuple({ configurable: { thread_id: "t1" } });
   * ```
   */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const target = tupleTarget(config);
    if (!target) return undefined;
    const { threadId, ns, checkpointId: explicitId } = target;
    const space = this.namespace(threadId, ns, false);
    if (!space) return undefined;
    const id = explicitId ?? space.ids[space.ids.length - 1];
    const stored = id === undefined ? undefined : space.checkpoints.get(id);
    return stored ? this.tuple(threadId, ns, space, stored) : undefined;
  }

  private tuple(
    threadId: string,
    ns: string,
    space: Namespace,
    stored: StoredCheckpoint,
  ): Promise<CheckpointTuple> {
    return readTuple(
      threadId,
      ns,
      space,
      stored,
      (v) => this.decode(v),
      (v) => this.getNextVersion(v),
    );
  }

  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const configurable = config?.configurable ?? {};
    const threadId =
      configurable.thread_id === undefined ? undefined : requireThreadId(config, "list");
    const ns = configurable.checkpoint_ns === undefined ? undefined : namespaceOf(config, "list");
    const only = optionalCheckpointId(config, "list");
    const before = optionalCheckpointId(options.before, "list: options.before");
    let remaining = listLimit(options.limit);
    if (remaining <= 0) return;
    const sources: [string, string, Namespace][] = [];
    const threadIds = threadId === undefined ? [...this.threads.keys()] : [threadId];
    for (const t of threadIds) {
      const thread = this.threads.get(t);
      if (!thread) continue;
      for (const [n, space] of thread)
        if (ns === undefined || n === ns) sources.push([t, n, space]);
    }
    // A checkpoint_id in the config lists that checkpoint only (in each
    // namespace and thread in scope), as LangGraph's savers do.
    if (only !== undefined) {
      if (before !== undefined && only >= before) return;
      for (const [t, n, space] of sources) {
        const stored = space.checkpoints.get(only);
        if (!stored || !(await this.matches(stored, options.filter))) continue;
        yield await this.tuple(t, n, space, stored);
        if (--remaining <= 0) return;
      }
      return;
    }
    // Newest first across every namespace and thread in scope: a k-way merge
    // over each namespace's sorted ids, so stopping early costs only what was read.
    const cursors = sources.map(([t, n, space]) => {
      return {
        t,
        n,
        space,
        i: before === undefined ? space.ids.length - 1 : lowerBound(space.ids, before) - 1,
      };
    });
    while (remaining > 0) {
      let best: (typeof cursors)[number] | undefined;
      for (const c of cursors) {
        if (c.i >= 0 && (!best || c.space.ids[c.i]! > best.space.ids[best.i]!)) best = c;
      }
      if (!best) return;
      const stored = best.space.checkpoints.get(best.space.ids[best.i]!)!;
      best.i--;
      if (!(await this.matches(stored, options.filter))) continue;
      remaining--;
      yield await this.tuple(best.t, best.n, best.space, stored);
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
    options?: PutOptions,
  ): Promise<RunnableConfig> {
    const { threadId, ns, parentId, checkpointId, ifHead } = putTarget(config, checkpoint, options);
    let encodedCheckpoint = this.encode(
      checkpointWithoutValues(checkpoint),
      () => `Checkpoint ${checkpointId}`,
    );
    if (encodedCheckpoint instanceof Promise) encodedCheckpoint = await encodedCheckpoint;
    const blobs: [key: string, value: Encoded | null][] = [];
    for (const blob of channelBlobs(checkpoint, newVersions)) {
      const key = channelVersionKey(blob.channel, blob.version);
      if (!blob.present) {
        blobs.push([key, null]);
        continue;
      }
      let encoded = this.encode(
        blob.value,
        () => `Channel "${blob.channel}" of checkpoint ${checkpointId}`,
      );
      if (encoded instanceof Promise) encoded = await encoded;
      blobs.push([key, encoded]);
    }
    let encodedMetadata = this.encode(metadata, () => `The metadata of checkpoint ${checkpointId}`);
    if (encodedMetadata instanceof Promise) encodedMetadata = await encodedMetadata;
    let thread = this.threadUpdate(options?.thread, ns);
    if (thread instanceof Promise) thread = await thread;
    // From here to the insert nothing awaits, so the head check and the write are one atomic step.
    const existing = this.namespace(threadId, ns, false);
    if (ifHead !== undefined) {
      const head = existing?.ids[existing.ids.length - 1] ?? null;
      if (head !== ifHead) throw new CheckpointConflictError(threadId, ifHead, head);
    }
    const space = existing ?? this.namespace(threadId, ns, true);
    // One value per (channel, version): the first stored stays.
    for (const [key, value] of blobs) if (!space.blobs.has(key)) space.blobs.set(key, value);
    insertSorted(space.ids, checkpointId);
    space.checkpoints.set(checkpointId, {
      id: checkpointId,
      parentId,
      checkpoint: encodedCheckpoint,
      metadata: encodedMetadata,
    });
    if (thread) applyUpdate(this.records, threadId, checkpointId, thread);
    return checkpointConfig(threadId, ns, checkpointId);
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
    options?: PutWritesOptions,
  ): Promise<void> {
    const { threadId, ns, checkpointId } = writesTarget(config, taskId, taskPath);
    let thread = this.threadUpdate(options?.thread, ns);
    if (thread instanceof Promise) thread = await thread;
    const encoded: StoredWrite[] = [];
    for (const { idx, channel, value, replaces } of indexWrites(writes)) {
      checkIdentifier("putWrites: write channel", channel, { allowEmpty: true });
      let stored = this.encode(value, () => `Write "${channel}" of task "${taskId}"`);
      if (stored instanceof Promise) stored = await stored;
      encoded.push({ taskId, taskPath, idx, channel, value: stored, replaces });
    }
    const space = this.namespace(threadId, ns, true);
    let forCheckpoint = space.writes.get(checkpointId);
    if (!forCheckpoint) {
      forCheckpoint = new Map();
      space.writes.set(checkpointId, forCheckpoint);
    }
    for (const write of encoded) {
      const key = `${write.idx}\u0000${taskId}`;
      if (write.replaces || !forCheckpoint.has(key)) forCheckpoint.set(key, write);
    }
    if (thread) applyUpdate(this.records, threadId, checkpointId, thread, checkpointId);
  }

  async deleteThread(threadId: string): Promise<void> {
    const id = checkThreadId(threadId, "deleteThread");
    this.threads.delete(id);
    this.records.delete(id);
  }

  /**
   * This storage's thread records matching `query`, newest update first (the
   * `threads` capability; `workflow.threads()` is the way to call it).
   *
   * @example
   * ```ts
   * const rows = await saver.listThreads({ entrypoint: "review", status: ["interrupted"], limit: 50 });
   * ```
   */
  listThreads(query: SaverThreadQuery): Promise<ListedThread[]> {
    return listRecords(this.records, query, this.serde, (v) => this.decode(v));
  }
}

/** LangGraph's name for {@link MemorySaver}, so programs written for it run after changing their imports. */
export { MemorySaver as InMemorySaver };
