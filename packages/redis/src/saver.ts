import {
  batchEntries,
  type ChannelVersions,
  type CheckedTaskWrites,
  type Checkpoint,
  CheckpointConflictError,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointSaver,
  type CheckpointTuple,
  checkpointConfig,
  checkThreadId,
  defaultSerializer,
  LangGraphSaverMethods,
  type ListChains,
  type ListedThread,
  type ListWrite,
  listChainsFor,
  listLimit,
  namespaceOf,
  optionalCheckpointId,
  type PendingWrite,
  type PruneOptions,
  type PruneResult,
  type PutOptions,
  type PutWritesOptions,
  putTarget,
  quote,
  type RunnableConfig,
  requireThreadId,
  type SaverThreadQuery,
  type SerializerProtocol,
  type SweepOptions,
  type SweepResult,
  type TaskWritesEntry,
  tupleTarget,
  writesTarget,
} from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { Connection, type RedisSource } from "./connection.js";
import { checkPrefix, fromHex, SEP, type ThreadKeys, threadKeys, toHex } from "./keys.js";
import {
  fillFirstPages,
  type ListQuery,
  listRange,
  newestFirst,
  scriptPages,
  ThreadCursor,
} from "./listing.js";
import type { RedisSaverOptions } from "./options.js";
import { RecordCodec } from "./records.js";
import { SaverRetention } from "./retention.js";
import { SCRIPTS } from "./scripts.js";
import { ThreadIndex } from "./thread-index.js";
import { listThreads } from "./thread-listing.js";
import { ThreadRecords } from "./thread-records.js";
import { locate, missingRecord, readTuple, TupleReader } from "./tuples.js";

const DEFAULT_PREFIX = "savepoint";
// The channel interrupts are written to (Savepoint's runtime and LangGraph's alike).
const INTERRUPT = "__interrupt__";
const KEY_CACHE = 1_000;

/**
 * A checkpoint saver on Redis (or Valkey, or Redis Cluster) through ioredis.
 * No modules (RedisJSON, RediSearch) and no `KEYS`: each thread's keys share a
 * hash tag, every write is one atomic Lua script, and lookups use sorted-set
 * indexes. `put` honours `ifHead` inside the script, so of two runs continuing
 * one thread exactly one commits.
 *
 * When Redis cannot be reached, a call fails with `StorageUnavailableError`
 * within the client's timeouts (for a client opened from a URL: about 1.5 s
 * when connections are refused, at most 10 s whatever happens); a write
 * either committed whole or not at all. A client opened from a URL never
 * keeps an idle process alive, so a script may end without `close()`.
 * Damaged records read as `CorruptValueError` naming where they are.
 *
 * @example
 * ```ts
 * import { entrypoint } from "@savepoint/core";
 * import { RedisSaver } from "@savepoint/redis";
 *
 * const checkpointer = new RedisSaver("redis://127.0.0.1:6379", { prefix: "myapp" });
 * const workflow = entrypoint({ name: "essay", checkpointer }, async (topic: string) => topic);
 * await workflow.invoke("cats", { configurable: { thread_id: "essay-1" } });
 * await checkpointer.close();
 * ```
 */
export class RedisSaver extends LangGraphSaverMethods implements CheckpointSaver {
  /**
   * What this saver guarantees beyond LangGraph's contract. `put` checks
   * `ifHead` inside its Lua script, so the check and the write are one step.
   */
  readonly capabilities = {
    /** `put` honours `ifHead` atomically, so two runs continuing one thread cannot both commit. */
    conditionalPut: true,
    /** A record per thread, changed in the script of the write it accompanies; `listThreads` lists them. */
    threads: true,
    /** `prune`, `copyThread` and `sweep`, each thread's change one script in its slot. */
    retention: true,
  } as const;
  /** The serializer values are stored with. */
  readonly serde: SerializerProtocol;
  /** The ioredis client in use (injected, or opened from the URL). */
  readonly client: Redis | Cluster;
  /** Start of every key this saver writes. */
  readonly prefix: string;

  private readonly connection: Connection;
  private readonly codec: RecordCodec;
  // The lists this saver stored last, so a put of a longer one stores its
  // tail (Savepoint's serializer only: a tail is its JSON).
  private readonly chains: ListChains | undefined;
  private readonly retention: SaverRetention;
  private readonly index: ThreadIndex;
  private readonly threads: ThreadRecords;
  private readonly reader: TupleReader;
  private readonly keyCache = new Map<string, ThreadKeys>();

  constructor(source: RedisSource, options: RedisSaverOptions = {}) {
    super();
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.serde = options.serde ?? defaultSerializer;
    this.codec = new RecordCodec(this.serde);
    this.chains = listChainsFor(this.serde, options.listChainLimit, "RedisSaver");
    this.connection = new Connection(source, options.redisOptions);
    this.client = this.connection.client;
    this.index = new ThreadIndex(this.connection, this.prefix);
    this.threads = new ThreadRecords(this.connection, this.codec, this.prefix);
    const { connection, codec, prefix, index, threads: records } = this;
    const keysOf = (threadId: string) => this.keysOf(threadId);
    const parts = { connection, codec, prefix, index, records, keysOf };
    this.retention = new SaverRetention(parts, options.ttl);
    this.reader = new TupleReader(this.connection, this.codec, this.retention.readArg);
  }

  /**
   * The checkpoint `checkpoint_id` names, else the latest (greatest id) of
   * the thread's namespace, with its parent, pending writes and channel
   * values; `undefined` when there is none, and for a config without
   * `thread_id` (LangGraph's contract; Savepoint's runtime refuses such a
   * config itself, with `MissingThreadIdError`). An empty or ill-formed
   * thread id is an `InvalidIdentifierError`. One script call.
   *
   * @example
   * ```ts
   * const tuple = await saver.getTuple({ configurable: { thread_id: "essay-1" } });
   * tuple?.pendingWrites; // [[taskId, channel, value], ...]
   * ```
   */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const target = tupleTarget(config);
    if (!target) return undefined;
    const { threadId, ns, checkpointId } = target;
    const keys = this.keysOf(threadId);
    const tuple = await this.reader.read(keys, threadId, ns, checkpointId);
    return tuple && this.reader.migrated(keys, threadId, ns, tuple);
  }

  /**
   * Checkpoints newest first: of one namespace (`checkpoint_ns` given), of
   * every namespace of the thread (left out), or of every thread (no
   * `thread_id`: the thread index). `filter` is checked on metadata after
   * reading it, a page at a time, so `limit` never loads more than it needs.
   *
   * @example
   * ```ts
   * for await (const tuple of saver.list({ configurable: { thread_id: "t" } }, { limit: 10 })) {
   *   console.log(tuple.checkpoint.id);
   * }
   * ```
   */
  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const remaining = listLimit(options.limit);
    if (remaining <= 0) return;
    const c = config?.configurable ?? {};
    const acrossThreads = c.thread_id === undefined || c.thread_id === null;
    const threadId = acrossThreads ? undefined : requireThreadId(config, "list");
    const query: ListQuery = {
      ns: c.checkpoint_ns === undefined ? undefined : namespaceOf(config, "list"),
      checkpointId: optionalCheckpointId(config, "list"),
      beforeId: optionalCheckpointId(options.before, "list: options.before"),
      filter: options.filter,
      remaining,
    };
    const range = listRange(query);
    if (!range) return;
    const threadIds = threadId === undefined ? await this.index.threadIds() : [threadId];
    const cursors = threadIds.map((t) => new ThreadCursor(t, this.keysOf(t), range));
    const pages = scriptPages(this.connection, query, this.reader.readTtl, (threadId, entry) =>
      this.codec.decodeMetadata(entry.metadata, locate(threadId, entry.member)),
    );
    await fillFirstPages(cursors, query, pages);
    if (acrossThreads) await this.index.pruneEmpty(cursors);
    for await (const [threadId, entry] of newestFirst(cursors, query, pages)) {
      const tuple = await readTuple(this.codec, threadId, entry);
      const ns = tuple.config.configurable!.checkpoint_ns as string;
      yield await this.reader.migrated(this.keysOf(threadId), threadId, ns, tuple);
    }
  }

  /**
   * Stores a checkpoint as a child of `config`'s `checkpoint_id`, with its
   * index entries and the values of the channels `newVersions` names (one
   * per (channel, version), the first stored kept), in one script. The
   * checkpoint record leaves `channel_values` out: reads rebuild them from
   * the versions it lists. With `options.ifHead` the script commits only if
   * that is still the thread's latest checkpoint (`null`: if it has none),
   * else stores nothing and throws `CheckpointConflictError`. With
   * `options.thread` (root namespace), the thread's record changes in the
   * same script, only if the checkpoint commits.
   *
   * @example
   * ```ts
   * const next = await saver.put(config, checkpoint, metadata, newVersions, { ifHead: parentId });
   * ```
   */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
    options?: PutOptions,
  ): Promise<RunnableConfig> {
    const { threadId, ns, parentId, checkpointId, ifHead } = putTarget(config, checkpoint, options);
    const keys = this.keysOf(threadId);
    const args: (string | Buffer)[] = [
      toHex(ns),
      toHex(checkpointId),
      await this.codec.encodeCheckpoint(parentId, checkpoint, `Checkpoint ${quote(checkpointId)}`),
      await this.codec.encode([], metadata, `Metadata of checkpoint ${quote(checkpointId)}`),
      ifHead === undefined ? "" : ifHead === null ? "null" : "id",
      typeof ifHead === "string" ? toHex(ifHead) : "",
      this.retention.writeArg,
      parentId === undefined ? "" : toHex(parentId),
    ];
    let thread = this.threads.argumentsOf(options?.thread, ns, keys);
    if (thread instanceof Promise) thread = await thread;
    const scriptKeys = this.retention.scriptKeys(
      this.threads.scriptKeys(keys, options?.thread, ns),
    );
    const chains = this.chains;
    let lists: Map<string, ListWrite> = new Map();
    let sent = 0;
    let sentVersions = newVersions;
    const run = async (versions: ChannelVersions, all: boolean, whole = false) => {
      const put = chains && { chains, threadId, ns, parentId, whole };
      const blobs = await this.codec.blobArguments(checkpoint, versions, put);
      lists = blobs.writes;
      sent = blobs.args.length / 2;
      sentVersions = versions;
      const argv = [...args, all ? "1" : "0", ...thread, ...blobs.args];
      return this.index.put(keys, () =>
        this.connection.run("put", SCRIPTS.put, keys, argv, scriptKeys),
      );
    };
    const early = this.threads.preindexed(keys, options?.thread, ns);
    let reply: unknown;
    try {
      reply = await run(newVersions, false);
      await early;
      // The parent was written before channel values were stored apart: the
      // channels carried over from it have no values of their own yet.
      if ((reply as [number])[0] === 3) reply = await run(checkpoint.channel_versions ?? {}, true);
      // A list tail's base is gone (pruned or deleted since): lists go whole.
      if ((reply as [number])[0] === 4)
        reply = await run(sentVersions, sentVersions !== newVersions, true);
    } catch (error) {
      chains?.forget(threadId, ns);
      throw error;
    }
    const [status, actual, updatedAt, touched, workflow, stored] = reply as [
      number,
      Buffer | number,
      number?,
      number?,
      Buffer?,
      number?,
    ];
    // Its lists are bases for the next put only if every value it sent was new.
    if (chains) {
      if (status === 1 && stored === sent) {
        const all = checkpoint.channel_versions;
        chains.committed(threadId, ns, parentId, checkpointId, all, sentVersions, lists);
      } else chains.forget(threadId, ns);
    }
    if (status === 2) {
      throw missingRecord(threadId, `${toHex(ns)}${SEP}${actual}`, "checkpoint");
    }
    if (status !== 1) {
      const head = Buffer.isBuffer(actual) && actual.length > 0 ? fromHex(actual.toString()) : null;
      throw new CheckpointConflictError(threadId, ifHead ?? null, head);
    }
    await this.followUp(keys, options?.thread, updatedAt, touched, workflow);
    return checkpointConfig(threadId, ns, checkpointId);
  }

  /**
   * Stores a task's writes against `config`'s checkpoint in one script:
   * ordinary writes are kept if already there (a retry changes nothing),
   * writes to the special channels replace. With `options.thread` (root
   * namespace) the thread's record changes in the same script, only while it
   * still names this checkpoint; `writes` may then be empty (a lease renewal).
   *
   * @example
   * ```ts
   * await saver.putWrites(config, [["__return__", "An essay about cats"]], taskId);
   * ```
   */
  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
    options?: PutWritesOptions,
  ): Promise<void> {
    const { threadId, ns, checkpointId, taskPath: path } = writesTarget(config, taskId, taskPath);
    return this.storeWrites(
      threadId,
      ns,
      checkpointId,
      [{ taskId, taskPath: path, writes }],
      options,
    );
  }

  /**
   * The writes of several tasks against `config`'s checkpoint in one script
   * (the same script as `putWrites`, its triples naming their tasks): what
   * `putWrites` per entry would store, in one step.
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
    const { threadId, ns, checkpointId } = writesTarget(config, "", "", "putWritesBatch");
    return this.storeWrites(threadId, ns, checkpointId, batchEntries(batch), options);
  }

  private async storeWrites(
    threadId: string,
    ns: string,
    checkpointId: string,
    entries: readonly CheckedTaskWrites[],
    options: PutWritesOptions | undefined,
  ): Promise<void> {
    const keys = this.keysOf(threadId);
    let thread = this.threads.argumentsOf(options?.thread, ns, keys);
    if (thread instanceof Promise) thread = await thread;
    if (thread.length === 1 && entries.every((e) => e.writes.length === 0)) return;
    // Every task of a run writes to the same checkpoint: encode its field base once.
    if (this.lastBase.ns !== ns || this.lastBase.checkpointId !== checkpointId) {
      const cid = toHex(checkpointId);
      this.lastBase = { ns, checkpointId, cid, base: `${toHex(ns)}${SEP}${cid}${SEP}` };
    }
    const { base, cid } = this.lastBase;
    const interrupts =
      ns === "" && entries.some((e) => e.writes.some(([channel]) => channel === INTERRUPT));
    if (thread.length === 1 && !interrupts && this.retention.untimed) {
      // Nearly every task write: nothing but the writes to store, so the
      // lean script on the two keys they live in, and no follow-up.
      const plain: (string | Buffer)[] = [base];
      const encoding = this.writeArguments(plain, entries);
      if (encoding) await encoding;
      await this.connection.run("putWrites", SCRIPTS.putWritesPlain, keys, plain, keys.writeKeys);
      return;
    }
    const args = [base, this.retention.writeArg, cid, interrupts ? "1" : "0", ...thread];
    const encoding = this.writeArguments(args, entries);
    if (encoding) await encoding;
    const early = this.threads.preindexed(keys, options?.thread, ns);
    const all = this.retention.scriptKeys(this.threads.scriptKeys(keys, options?.thread, ns));
    const reply = await this.connection.run("putWrites", SCRIPTS.putWrites, keys, args, all);
    await early;
    const [, updatedAt, touched, workflow] = reply as [number, number, number, Buffer];
    await this.followUp(keys, options?.thread, updatedAt, touched, workflow);
  }

  // The entries' (field, replaces, record) triples, in order; a promise only
  // when a value encodes asynchronously (as the codec's writeArguments).
  private writeArguments(
    args: (string | Buffer)[],
    entries: readonly CheckedTaskWrites[],
    from = 0,
  ): Promise<void> | undefined {
    for (let i = from; i < entries.length; i++) {
      const { taskId, taskPath, writes } = entries[i]!;
      const encoding = this.codec.writeArguments(args, taskId, taskPath, writes);
      if (encoding) return encoding.then(() => this.writeArguments(args, entries, i + 1));
    }
    return undefined;
  }

  /**
   * Thread records of one workflow, newest update first (ties by thread id,
   * descending), each confirmed against the thread's own record; a running
   * record whose lease has ended is `"stalled"`. What `workflow.threads()`,
   * `thread()` and `recover()` read.
   *
   * @example
   * ```ts
   * const rows = await saver.listThreads({ entrypoint: "review", status: ["interrupted"], limit: 50 });
   * ```
   */
  listThreads(query: SaverThreadQuery): Promise<ListedThread[]> {
    return listThreads(this.threads, query);
  }

  /**
   * Removes every checkpoint, write and channel value of the thread, in
   * every namespace (one `DEL` of its keys, its thread record included), its
   * entry in the thread index, its entries in the thread listings and its
   * idle clock's entry (entries first, so a put re-creating the thread after
   * the `DEL` is indexed again).
   *
   * @example
   * ```ts
   * await saver.deleteThread("essay-1");
   * ```
   */
  async deleteThread(threadId: string): Promise<void> {
    const keys = this.keysOf(checkThreadId(threadId, "deleteThread"));
    this.chains?.forget(threadId);
    await this.threads.deleteThread(keys, async () => {
      await Promise.all([this.retention.forget(keys), this.index.deleteThread(keys)]);
    });
  }

  /**
   * Removes old checkpoints of each thread, per namespace all but the newest
   * `keep` and those the head's run under way replays from, with their
   * writes and the channel values no kept checkpoint lists; the head, its
   * writes and the thread's record stay as they are. One script per thread,
   * refused if a head moved on since the plan (then planned once more).
   *
   * @example
   * ```ts
   * await saver.prune(["essay-1"], { keep: "latest" }); // { threads: 1, checkpoints: 12 }
   * ```
   */
  prune(threadIds: readonly string[], options: PruneOptions): Promise<PruneResult> {
    if (Array.isArray(threadIds)) for (const id of threadIds) this.chains?.forget(String(id));
    return this.retention.prune(threadIds, options);
  }

  /**
   * Copies thread `fromThreadId` whole (every namespace, and its record)
   * into `toThreadId`, which must have nothing stored (else, as for a source
   * with no checkpoints, `InvalidArgumentError`). A copied running record
   * holds no lease: it lists as stalled.
   *
   * @example
   * ```ts
   * await saver.copyThread("essay-1", "essay-1-fork");
   * ```
   */
  copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    return this.retention.copyThread(fromThreadId, toThreadId);
  }

  /**
   * Expires at most `limit` (default 1,000) threads idle longer than the
   * `ttl`, oldest first, as `onExpire` says, sparing interrupted threads
   * (unless `includeInterrupted`) and live runs, and cleans the indexes of
   * threads Redis expired. Each thread is expired by one of many sweepers.
   * Without a ttl it does nothing.
   *
   * @example
   * ```ts
   * const { deleted, pruned, more } = await saver.sweep({ limit: 500 });
   * ```
   */
  sweep(options?: SweepOptions): Promise<SweepResult> {
    return this.retention.sweep(options);
  }

  /**
   * Closes the client if the saver opened it from a URL; an injected client is
   * left open for its owner.
   *
   * @example
   * ```ts
   * const saver = new RedisSaver("redis://127.0.0.1:6379");
   * await saver.close();
   * ```
   */
  async close(): Promise<void> {
    await this.connection.close();
  }

  // The field base of the last checkpoint written to (see putWrites).
  private lastBase = { ns: "", checkpointId: "", cid: "", base: "" };

  // After a write's script: the listing sets and (a Cluster with a ttl) the idle set.
  private async followUp(
    keys: ThreadKeys,
    update: PutOptions["thread"],
    updatedAt: number | undefined,
    touched: number | undefined,
    workflow: Buffer | undefined,
  ): Promise<void> {
    await Promise.all([
      this.threads.indexed(keys, update, updatedAt ?? 0),
      this.retention.written(keys, touched, workflow),
    ]);
  }

  // A run touches the same thread on every call; its key names are built once.
  private keysOf(threadId: string): ThreadKeys {
    let keys = this.keyCache.get(threadId);
    if (!keys) {
      if (this.keyCache.size >= KEY_CACHE) this.keyCache.clear();
      keys = threadKeys(this.prefix, threadId);
      this.keyCache.set(threadId, keys);
    }
    return keys;
  }
}
