import {
  batchEntries,
  type ChannelVersion,
  type ChannelVersions,
  type CheckedTaskWrites,
  type Checkpoint,
  CheckpointConflictError,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointSaver,
  type CheckpointTuple,
  checkpointConfig,
  checkpointWithoutValues,
  checkThreadId,
  defaultSerializer,
  dumpTyped,
  keepCount,
  LangGraphSaverMethods,
  type ListChains,
  type ListedThread,
  listChainsFor,
  listLimit,
  loadTyped,
  matchesMetadataFilter,
  namespaceOf,
  type Owner,
  optionalCheckpointId,
  type PendingWrite,
  type PruneOptions,
  type PruneResult,
  type PutOptions,
  type PutWritesOptions,
  pruneThreadIds,
  putTarget,
  type RunnableConfig,
  requireThreadId,
  resolveTtl,
  type SavepointSerializer,
  type SaverThreadQuery,
  type SerializerProtocol,
  type SweepOptions,
  type SweepResult,
  savepointSerializerOf,
  sweepLimit,
  type TaskWritesEntry,
  type ThreadUpdate,
  tupleTarget,
  writesTarget,
} from "@savepoint/core";
import { ThreadExpiry } from "./expiry.js";
import type { MemorySaverOptions } from "./options.js";
import { encodeBlobs, storeBlobs } from "./puts.js";
import { copyStoredThread, pruneThreads, removeThread, type StoredReader } from "./retention.js";
import {
  type Encoded,
  insertSorted,
  type ListedSpace,
  MemoryStorage,
  type Namespace,
  namespaceIn,
  newestFirst,
  type StoredCheckpoint,
  type StoredThreadRecord,
  type StoredWrite,
  type ThreadSpaces,
} from "./storage.js";
import { applyUpdate, listRecords, prepareUpdate } from "./thread-records.js";
import { readTuple } from "./tuples.js";
import { encodeTaskWrites, sharedInterrupts, storeTaskWrites } from "./writes.js";

// The type tag of bare-text values (Savepoint's serializer's own).
const SAVEPOINT_JSON = "savepoint-json";

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
    /** `prune`, `copyThread` and `sweep` (with the `ttl` option), keeping what a thread needs now. */
    retention: true,
  } as const;
  private readonly threads: Map<string, ThreadSpaces>;
  private readonly records: Map<string, StoredThreadRecord>;
  private readonly storage: MemoryStorage;
  private readonly reader: StoredReader;
  private readonly expiry: ThreadExpiry | undefined;
  // Savepoint's serializer when it is this saver's: values are then kept as bare JSON text.
  private readonly ownSerializer: SavepointSerializer | undefined;
  // The lists this saver stored last, so a put of a longer one stores its tail.
  private readonly chains: ListChains | undefined;

  constructor(options: MemorySaverOptions = {}) {
    super();
    this.serde = options.serde ?? defaultSerializer;
    this.ownSerializer = savepointSerializerOf(this.serde);
    this.chains = listChainsFor(this.serde, options.listChainLimit, "MemorySaver");
    const storage = options.storage ?? new MemoryStorage();
    this.storage = storage;
    this.threads = storage.threads;
    this.records = storage.records;
    this.reader = {
      decode: (v) => this.decode(v),
      tuple: (threadId, ns, space, stored) => this.tuple(threadId, ns, space, stored),
    };
    const ttl = resolveTtl(options.ttl, "MemorySaver");
    this.expiry = ttl && new ThreadExpiry(storage, ttl, this.reader);
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
    const expiring = this.expiry?.beforeRead(threadId, true);
    if (expiring) await expiring;
    const space = namespaceIn(this.threads, threadId, ns, false);
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
    return readTuple(threadId, ns, space, stored, this.reader.decode, this.nextVersion);
  }

  // Made once, not per read (a subclass's getNextVersion is still the one called).
  private readonly nextVersion = (current: ChannelVersion | undefined) =>
    this.getNextVersion(current);

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
    const expiring =
      threadId === undefined
        ? this.expiry?.beforeListing()
        : this.expiry?.beforeRead(threadId, false);
    if (expiring) await expiring;
    const sources: ListedSpace[] = [];
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
        this.expiry?.touch(t);
        yield await this.tuple(t, n, space, stored);
        if (--remaining <= 0) return;
      }
      return;
    }
    for (const [[t, n, space], stored] of newestFirst(sources, before)) {
      if (!(await this.matches(stored, options.filter))) continue;
      this.expiry?.touch(t);
      yield await this.tuple(t, n, space, stored);
      if (--remaining <= 0) return;
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
    const target = { threadId, ns, parentId, checkpointId };
    let encoded = encodeBlobs(checkpoint, newVersions, target, this.encodeValue, this.chains);
    if (encoded instanceof Promise) encoded = await encoded;
    let encodedMetadata = this.encode(metadata, () => `The metadata of checkpoint ${checkpointId}`);
    if (encodedMetadata instanceof Promise) encodedMetadata = await encodedMetadata;
    let thread = this.threadUpdate(options?.thread, ns);
    if (thread instanceof Promise) thread = await thread;
    // From here to the insert nothing awaits, so the head check and the write are one atomic step.
    const existing = namespaceIn(this.threads, threadId, ns, false);
    if (ifHead !== undefined) {
      const head = existing?.ids[existing.ids.length - 1] ?? null;
      if (head !== ifHead) throw new CheckpointConflictError(threadId, ifHead, head);
    }
    const space = existing ?? namespaceIn(this.threads, threadId, ns, true);
    const allStored = storeBlobs(space, encoded);
    insertSorted(space.ids, checkpointId);
    space.checkpoints.set(checkpointId, {
      id: checkpointId,
      parentId,
      checkpoint: encodedCheckpoint,
      metadata: encodedMetadata,
    });
    const now = Date.now();
    if (thread) applyUpdate(this.records, threadId, checkpointId, thread, now);
    this.storage.lastWrite.set(threadId, now);
    if (this.chains) {
      if (allStored) {
        const versions = checkpoint.channel_versions;
        this.chains.committed(
          threadId,
          ns,
          parentId,
          checkpointId,
          versions,
          newVersions,
          encoded.lists,
        );
      } else this.chains.forget(threadId, ns);
    }
    return checkpointConfig(threadId, ns, checkpointId);
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
    options?: PutWritesOptions,
  ): Promise<void> {
    const target = writesTarget(config, taskId, taskPath);
    await this.storeWrites(
      target,
      [{ taskId: target.taskId, taskPath: target.taskPath, writes }],
      options,
    );
  }

  /**
   * The writes of several tasks against the checkpoint in `config`, all
   * checked and encoded before any is stored: what `putWrites` per entry
   * would store, in one step.
   *
   * @example
   * ```ts
   * await saver.putWritesBatch(config, [{ taskId: "0:step", writes: [["__return__", 1]] }]);
   * ```
   */
  async putWritesBatch(
    config: RunnableConfig,
    batch: readonly TaskWritesEntry[],
    options?: PutWritesOptions,
  ): Promise<void> {
    const target = writesTarget(config, "", "", "putWritesBatch");
    await this.storeWrites(target, batchEntries(batch), options);
  }

  // Every value is encoded (and the record update prepared) before anything
  // is stored; from the first store on nothing awaits, so the writes and the
  // record change in one step.
  private async storeWrites(
    { threadId, ns, checkpointId }: { threadId: string; ns: string; checkpointId: string },
    entries: readonly CheckedTaskWrites[],
    options: PutWritesOptions | undefined,
  ): Promise<void> {
    let thread = this.threadUpdate(options?.thread, ns);
    if (thread instanceof Promise) thread = await thread;
    const share = sharedInterrupts(thread, options);
    const encoded: StoredWrite[][] = [];
    for (const { taskId, taskPath, writes } of entries) {
      const task = encodeTaskWrites(taskId, taskPath, writes, this.encodeValue, share);
      encoded.push(task instanceof Promise ? await task : task);
    }
    if (encoded.length === 0 && !thread) return;
    const space = namespaceIn(this.threads, threadId, ns, true);
    for (const writes of encoded) storeTaskWrites(space, checkpointId, writes);
    const now = Date.now();
    if (thread) applyUpdate(this.records, threadId, checkpointId, thread, now, checkpointId);
    this.storage.lastWrite.set(threadId, now);
  }

  private readonly encodeValue = (value: unknown, owner: Owner) => this.encode(value, owner);

  async deleteThread(threadId: string): Promise<void> {
    const id = checkThreadId(threadId, "deleteThread");
    this.chains?.forget(id);
    removeThread(this.storage, id);
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
  async listThreads(query: SaverThreadQuery): Promise<ListedThread[]> {
    const expiring =
      query.threadId === undefined
        ? this.expiry?.beforeListing()
        : this.expiry?.beforeRead(query.threadId, false);
    if (expiring) await expiring;
    return listRecords(this.records, query, this.serde, (v) => this.decode(v));
  }

  /**
   * Removes each thread's old checkpoints, their writes and the channel
   * values no kept checkpoint lists, keeping the newest `keep` of each
   * namespace and what a run under way resumes from. `workflow.prune()` is
   * the way to call it.
   *
   * @example
   * ```ts
   * await saver.prune(["t1", "t2"], { keep: "latest" }); // { threads: 2, checkpoints: 14 }
   * ```
   */
  async prune(threadIds: readonly string[], options: PruneOptions): Promise<PruneResult> {
    const ids = pruneThreadIds(threadIds).map((id) => checkThreadId(id, "prune"));
    for (const id of ids) this.chains?.forget(id);
    return pruneThreads(this.storage, ids, keepCount(options?.keep), this.reader);
  }

  /**
   * Copies every checkpoint, write, channel value and namespace of thread
   * `from`, and its record, into the new thread `to` (which must have
   * nothing stored); the two are independent afterwards.
   *
   * @example
   * ```ts
   * await saver.copyThread("t1", "t1-experiment");
   * ```
   */
  async copyThread(from: string, to: string): Promise<void> {
    const source = checkThreadId(from, "copyThread: from");
    const target = checkThreadId(to, "copyThread: to");
    // An expired thread is gone: it is neither copied nor in the way.
    for (const id of [source, target]) {
      const expiring = this.expiry?.beforeRead(id, false);
      if (expiring) await expiring;
    }
    copyStoredThread(this.storage, source, target, Date.now());
  }

  /**
   * Expires the threads idle longer than the `ttl` option, at most `limit`
   * per call, the longest idle first; without a ttl it does nothing.
   *
   * @example
   * ```ts
   * let result;
   * do result = await saver.sweep({ limit: 500 });
   * while (result.more);
   * ```
   */
  async sweep(options?: SweepOptions): Promise<SweepResult> {
    const limit = sweepLimit(options);
    if (!this.expiry) return { deleted: 0, pruned: 0, more: false };
    return this.expiry.sweep(options?.now ?? Date.now(), limit);
  }
}

/** LangGraph's name for {@link MemorySaver}, so programs written for it run after changing their imports. */
export { MemorySaver as InMemorySaver };
