import {
  type ChannelVersion,
  type ChannelVersions,
  type Checkpoint,
  CheckpointConflictError,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointSaver,
  type CheckpointTuple,
  checkIdentifier,
  checkpointConfig,
  checkThreadId,
  defaultSerializer,
  InvalidArgumentError,
  indexWrites,
  listLimit,
  namespaceOf,
  nextIntegerVersion,
  optionalCheckpointId,
  type PendingWrite,
  type PutOptions,
  quote,
  type RunnableConfig,
  requireCheckpointId,
  requireThreadId,
  type SerializerProtocol,
} from "@savepoint/core";
import type { Cluster, Redis, RedisOptions } from "ioredis";
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
import { RecordCodec } from "./records.js";
import { type Reply, SCRIPTS } from "./scripts.js";
import { ThreadIndex } from "./thread-index.js";
import { locate, missingRecord, readTuple } from "./tuples.js";

/**
 * Expiry of idle threads.
 *
 * @example
 * ```ts
 * new RedisSaver(url, { ttl: { seconds: 7 * 24 * 3600, refreshOnRead: true } });
 * ```
 */
export interface RedisSaverTtl {
  /** Seconds after its last write (or read, with `refreshOnRead`) that a thread's keys expire, all together. */
  seconds: number;
  /** Also push the expiry back when the thread is read (`getTuple`, `list`). Default false. */
  refreshOnRead?: boolean;
}

/**
 * Options of {@link RedisSaver}.
 *
 * @example
 * ```ts
 * new RedisSaver("redis://127.0.0.1:6379", { prefix: "myapp", ttl: { seconds: 86_400 } });
 * ```
 */
export interface RedisSaverOptions {
  /** Start of every key the saver writes; no `{` or `}`. Default `"savepoint"`. */
  prefix?: string;
  /** Serializer of checkpoints, metadata and writes. Default: core's `defaultSerializer`. */
  serde?: SerializerProtocol;
  /** Expire a thread's keys (all of them together) after this long without a write. Default: never. */
  ttl?: RedisSaverTtl;
  /**
   * ioredis options for the client the saver opens from a URL (ignored for an
   * injected client). The saver's defaults bound how long a call can wait
   * (see `URL_CLIENT_DEFAULTS`): `connectTimeout` 5 s, `commandTimeout` 10 s,
   * and `maxRetriesPerRequest` 4 reconnect attempts (about 1.5 s against a
   * server that refuses connections); then the call fails with
   * `StorageUnavailableError`. Each can be overridden here.
   */
  redisOptions?: RedisOptions;
}

const DEFAULT_PREFIX = "savepoint";
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
export class RedisSaver implements CheckpointSaver {
  /**
   * What this saver guarantees beyond LangGraph's contract. `put` checks
   * `ifHead` inside its Lua script, so the check and the write are one step.
   */
  readonly capabilities = {
    /** `put` honours `ifHead` atomically, so two runs continuing one thread cannot both commit. */
    conditionalPut: true,
  } as const;
  /** The serializer values are stored with. */
  readonly serde: SerializerProtocol;
  /** The ioredis client in use (injected, or opened from the URL). */
  readonly client: Redis | Cluster;
  /** Start of every key this saver writes. */
  readonly prefix: string;

  private readonly connection: Connection;
  private readonly codec: RecordCodec;
  private readonly ttlArg: string;
  private readonly readTtlArg: string;
  private readonly index: ThreadIndex;
  private readonly keyCache = new Map<string, ThreadKeys>();

  constructor(source: RedisSource, options: RedisSaverOptions = {}) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.serde = options.serde ?? defaultSerializer;
    this.codec = new RecordCodec(this.serde);
    const ttl = options.ttl;
    if (ttl !== undefined && !(Number.isFinite(ttl.seconds) && ttl.seconds > 0)) {
      throw new InvalidArgumentError(
        `RedisSaver ttl.seconds must be a positive number of seconds, got ${quote(ttl.seconds)}.`,
      );
    }
    this.ttlArg = ttl ? String(Math.max(1, Math.round(ttl.seconds * 1000))) : "0";
    this.readTtlArg = ttl?.refreshOnRead ? this.ttlArg : "0";
    this.connection = new Connection(source, options.redisOptions);
    this.client = this.connection.client;
    this.index = new ThreadIndex(this.connection, this.prefix);
  }

  /**
   * The checkpoint `checkpoint_id` names, else the latest (greatest id) of
   * the thread's namespace, with its parent and pending writes; `undefined`
   * when there is none. One script call.
   *
   * @example
   * ```ts
   * const tuple = await saver.getTuple({ configurable: { thread_id: "essay-1" } });
   * tuple?.pendingWrites; // [[taskId, channel, value], ...]
   * ```
   */
  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = requireThreadId(config, "getTuple");
    const ns = namespaceOf(config, "getTuple");
    const checkpointId = optionalCheckpointId(config, "getTuple");
    const reply = (await this.connection.run("getTuple", SCRIPTS.get, this.keysOf(threadId), [
      toHex(ns),
      checkpointId === undefined ? "" : toHex(checkpointId),
      this.readTtlArg,
    ])) as Reply[] | null;
    if (!reply) return undefined;
    const [status, member, checkpoint, metadata, writes] = reply as [
      number,
      Buffer,
      Buffer,
      Buffer,
      Buffer[],
    ];
    if (status !== 1) throw missingRecord(threadId, member.toString(), checkpoint.toString());
    return readTuple(this.codec, threadId, member.toString(), checkpoint, metadata, writes);
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
    const pages = scriptPages(this.connection, query, this.readTtlArg, (threadId, entry) =>
      this.codec.decodeMetadata(entry.metadata, locate(threadId, entry.member)),
    );
    await fillFirstPages(cursors, query, pages);
    if (acrossThreads) await this.index.pruneEmpty(cursors);
    for await (const [threadId, entry] of newestFirst(cursors, query, pages)) {
      yield await readTuple(
        this.codec,
        threadId,
        entry.member,
        entry.checkpoint,
        entry.metadata,
        entry.writes,
      );
    }
  }

  /**
   * Stores a checkpoint as a child of `config`'s `checkpoint_id`, with its
   * index entries, in one script. With `options.ifHead` the script commits
   * only if that is still the thread's latest checkpoint (`null`: if it has
   * none), else stores nothing and throws `CheckpointConflictError`.
   *
   * @example
   * ```ts
   * const next = await saver.put(config, checkpoint, metadata, {}, { ifHead: parentId });
   * ```
   */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    _newVersions: ChannelVersions,
    options?: PutOptions,
  ): Promise<RunnableConfig> {
    const threadId = requireThreadId(config, "put");
    const ns = namespaceOf(config, "put");
    const parentId = optionalCheckpointId(config, "put");
    const checkpointId = checkIdentifier("put: checkpoint.id", checkpoint?.id, {
      hint: "a checkpoint needs a non-empty string id",
    });
    const ifHead = options?.ifHead;
    if (ifHead !== undefined && ifHead !== null) {
      checkIdentifier("put: options.ifHead", ifHead, {
        hint: "pass a checkpoint id, null, or leave it out",
      });
    }
    const keys = this.keysOf(threadId);
    const [checkpointRecord, metadataRecord] = await Promise.all([
      this.codec.encode([parentId ?? null], checkpoint, `Checkpoint ${quote(checkpointId)}`),
      this.codec.encode([], metadata, `Metadata of checkpoint ${quote(checkpointId)}`),
    ]);
    const reply = await this.index.put(keys, () =>
      this.connection.run("put", SCRIPTS.put, keys, [
        toHex(ns),
        toHex(checkpointId),
        checkpointRecord,
        metadataRecord,
        ifHead === undefined ? "" : ifHead === null ? "null" : "id",
        typeof ifHead === "string" ? toHex(ifHead) : "",
        this.ttlArg,
      ]),
    );
    const [status, actual] = reply as [number, Buffer | number];
    if (status === 2) {
      throw missingRecord(threadId, `${toHex(ns)}${SEP}${actual}`, "checkpoint");
    }
    if (status !== 1) {
      const head = Buffer.isBuffer(actual) && actual.length > 0 ? fromHex(actual.toString()) : null;
      throw new CheckpointConflictError(threadId, ifHead ?? null, head);
    }
    return checkpointConfig(threadId, ns, checkpointId);
  }

  /**
   * Stores a task's writes against `config`'s checkpoint in one script:
   * ordinary writes are kept if already there (a retry changes nothing),
   * writes to the special channels replace.
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
  ): Promise<void> {
    const threadId = requireThreadId(config, "putWrites");
    const ns = namespaceOf(config, "putWrites");
    const checkpointId = requireCheckpointId(config, "putWrites");
    checkIdentifier("putWrites: task_id", taskId, {
      allowEmpty: true,
      hint: "pass the task id as a string",
    });
    const path = checkIdentifier("putWrites: task_path", taskPath ?? "", { allowEmpty: true });
    if (writes.length === 0) return;
    const keys = this.keysOf(threadId);
    const taskHex = toHex(taskId);
    // Every task of a run writes to the same checkpoint: encode its field base once.
    if (this.lastBase.ns !== ns || this.lastBase.checkpointId !== checkpointId) {
      this.lastBase = { ns, checkpointId, base: `${toHex(ns)}${SEP}${toHex(checkpointId)}${SEP}` };
    }
    const args: (string | Buffer)[] = [this.lastBase.base, this.ttlArg];
    for (const { idx, channel, value, replaces } of indexWrites(writes)) {
      checkIdentifier("putWrites: write channel", channel, { allowEmpty: true });
      const owner = () => `Write to ${quote(channel)} of task ${quote(taskId)}`;
      let record = this.codec.encodeWrite({ taskId, idx, channel, taskPath: path, value }, owner);
      if (record instanceof Promise) record = await record;
      args.push(`${taskHex}${SEP}${idx}`, replaces ? "1" : "0", record);
    }
    await this.connection.run("putWrites", SCRIPTS.putWrites, keys, args);
  }

  /**
   * Removes every checkpoint and write of the thread, in every namespace
   * (one `DEL` of its keys), and its entry in the thread index.
   *
   * @example
   * ```ts
   * await saver.deleteThread("essay-1");
   * ```
   */
  async deleteThread(threadId: string): Promise<void> {
    await this.index.deleteThread(this.keysOf(checkThreadId(threadId, "deleteThread")));
  }

  /**
   * The next integer channel version (core's `nextIntegerVersion`).
   *
   * @example
   * ```ts
   * saver.getNextVersion(undefined); // 1
   * ```
   */
  getNextVersion(current: ChannelVersion | undefined, _channel?: unknown): ChannelVersion {
    return nextIntegerVersion(current);
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
  private lastBase = { ns: "", checkpointId: "", base: "" };

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
