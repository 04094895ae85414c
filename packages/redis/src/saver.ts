import {
  type ChannelVersion,
  type ChannelVersions,
  type Checkpoint,
  CheckpointConflictError,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointSaver,
  type CheckpointTuple,
  CorruptValueError,
  defaultSerializer,
  InvalidArgumentError,
  InvalidIdentifierError,
  matchesMetadataFilter,
  nextIntegerVersion,
  type PendingWrite,
  type PutOptions,
  type RunnableConfig,
  replacesOnWrite,
  type SerializerProtocol,
  writeIndex,
} from "@savepoint/core";
import { type Cluster, Redis, type RedisOptions } from "ioredis";
import { describeClient, redactUrl, toSavepointError } from "./errors.js";
import {
  checkPrefix,
  fromHex,
  optionalCheckpointId,
  requireNamespace,
  requireThreadId,
  SEP,
  type ThreadKeys,
  threadIndexKey,
  threadKeys,
  toHex,
} from "./keys.js";
import {
  CursorHeap,
  type ListEntry,
  type ListQuery,
  listRange,
  type PageFilter,
  type PageReader,
  ThreadCursor,
} from "./listing.js";
import { RecordCodec, readHeader } from "./records.js";
import { type Reply, SCRIPTS, type Script } from "./scripts.js";

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
   * injected client). `maxRetriesPerRequest` decides how long a command waits
   * for a lost connection to come back before the run fails with
   * `StorageUnavailableError` (ioredis' default: 20 reconnect attempts, about
   * 10 s).
   */
  redisOptions?: RedisOptions;
}

/**
 * Where a saver reads and writes: an ioredis `Redis` or `Cluster` (left open
 * by the saver), or a `redis://` / `rediss://` URL (opened and closed by it).
 *
 * @example
 * ```ts
 * const source: RedisSource = process.env.REDIS_URL ?? new Redis();
 * ```
 */
export type RedisSource = Redis | Cluster | string;

const DEFAULT_PREFIX = "savepoint";
const PAGE = 100;
// First page per thread when merging threads, and threads read at once.
const MERGE_PAGE = 10;
const FILL_CONCURRENCY = 64;
const INDEX_PAGE = 1000;
// Cap on the in-process memory of threads known to be in the thread index.
const INDEXED_CACHE = 10_000;
const KEY_CACHE = 1_000;

interface DecodedWrite {
  taskId: string;
  idx: number;
  channel: string;
  taskPath: string;
  value: unknown;
}

/**
 * A checkpoint saver on Redis (or Valkey, or Redis Cluster) through ioredis.
 * No modules (RedisJSON, RediSearch) and no `KEYS`: each thread's keys share a
 * hash tag, every write is one atomic Lua script, and lookups use sorted-set
 * indexes. `put` honours `ifHead` inside the script, so of two runs continuing
 * one thread exactly one commits.
 *
 * When the connection drops, a command waits for ioredis to reconnect for
 * `maxRetriesPerRequest` attempts and then fails with
 * `StorageUnavailableError`; a write either committed whole or not at all.
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
  /** `put` honours `ifHead` atomically, inside its Lua script. */
  /** What this saver guarantees beyond LangGraph's contract. */
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

  private readonly owned: boolean;
  private readonly where: string;
  private readonly codec: RecordCodec;
  private readonly ttlArg: string;
  private readonly readTtlArg: string;
  private readonly indexKey: string;
  private readonly indexed = new Set<string>();
  private readonly keyCache = new Map<string, ThreadKeys>();
  private lastConnectionError: Error | undefined;

  constructor(source: RedisSource, options: RedisSaverOptions = {}) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.serde = options.serde ?? defaultSerializer;
    this.codec = new RecordCodec(this.serde);
    const ttl = options.ttl;
    if (ttl !== undefined && !(Number.isFinite(ttl.seconds) && ttl.seconds > 0)) {
      throw new InvalidArgumentError(
        `RedisSaver ttl.seconds must be a positive number of seconds, got ${JSON.stringify(ttl.seconds)}.`,
      );
    }
    this.ttlArg = ttl ? String(Math.max(1, Math.round(ttl.seconds * 1000))) : "0";
    this.readTtlArg = ttl?.refreshOnRead ? this.ttlArg : "0";
    this.indexKey = threadIndexKey(this.prefix);
    if (typeof source === "string") {
      if (!/^rediss?:\/\//.test(source)) {
        throw new InvalidArgumentError(
          `RedisSaver needs an ioredis client or a redis:// or rediss:// URL, got "${redactUrl(source)}".`,
        );
      }
      const client = new Redis(source, options.redisOptions ?? {});
      // Keeps the socket error (ECONNREFUSED...) for the message of the command
      // that fails because of it, and stops ioredis logging it as unhandled.
      client.on("error", (err: Error) => {
        this.lastConnectionError = err;
      });
      client.on("ready", () => {
        this.lastConnectionError = undefined;
      });
      this.client = client;
      this.owned = true;
    } else if (source && typeof (source as Redis).evalsha === "function") {
      this.client = source;
      this.owned = false;
    } else {
      throw new InvalidArgumentError(
        "RedisSaver needs an ioredis Redis or Cluster client, or a redis:// or rediss:// URL.",
      );
    }
    this.where = describeClient(this.client);
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
    const threadId = requireThreadId(config.configurable?.thread_id);
    const ns = requireNamespace(config.configurable?.checkpoint_ns);
    const checkpointId = optionalCheckpointId(config.configurable?.checkpoint_id);
    const keys = this.keysOf(threadId);
    const reply = (await this.run("getTuple", SCRIPTS.get, keys, [
      toHex(ns),
      checkpointId === undefined ? "" : toHex(checkpointId),
      this.readTtlArg,
    ])) as Reply[] | null;
    if (!reply) return undefined;
    const [member, checkpoint, metadata, writes] = reply as [Buffer, Buffer, Buffer, Buffer[]];
    return this.toTuple(threadId, member.toString(), checkpoint, metadata, writes);
  }

  /**
   * Checkpoints newest first: of one namespace (`checkpoint_ns` given), of
   * every namespace of the thread (left out), or of every thread (no
   * `thread_id`). `filter` is checked on metadata after reading it, a page at
   * a time, so `limit` never loads more than it needs.
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
    const { limit, filter } = options;
    if (limit !== undefined && limit <= 0) return;
    const c = config.configurable ?? {};
    const acrossThreads = c.thread_id === undefined || c.thread_id === null;
    const threadId = acrossThreads ? undefined : requireThreadId(c.thread_id);
    const query: ListQuery = {
      ns: c.checkpoint_ns === undefined ? undefined : requireNamespace(c.checkpoint_ns),
      checkpointId: optionalCheckpointId(c.checkpoint_id),
      beforeId: optionalCheckpointId(options.before?.configurable?.checkpoint_id),
      filter,
      remaining: limit ?? Number.POSITIVE_INFINITY,
    };
    const range = listRange(query);
    if (!range) return;
    const threadIds = threadId === undefined ? await this.allThreadIds() : [threadId];
    const cursors = threadIds.map((t) => new ThreadCursor(t, this.keysOf(t), range));
    const read = this.readPage;
    const keep = this.filterPage(query);
    // Across threads, every thread's newest entries are needed before the
    // first can be yielded; small first pages keep that cheap.
    const pageSize = cursors.length === 1 ? PAGE : MERGE_PAGE;
    for (let i = 0; i < cursors.length; i += FILL_CONCURRENCY) {
      await Promise.all(
        cursors
          .slice(i, i + FILL_CONCURRENCY)
          .map((cursor) => cursor.fill(query, read, keep, pageSize)),
      );
    }
    if (acrossThreads) {
      for (const cursor of cursors) {
        if (cursor.seen === 0) await this.pruneThreadIndex(cursor.keys);
      }
    }
    const heap = new CursorHeap();
    for (const cursor of cursors) if (cursor.head()) heap.push(cursor);
    while (query.remaining > 0 && heap.size > 0) {
      const cursor = heap.pop()!;
      const entry = cursor.take()!;
      // Empty: deleted between the metadata read and the body fetch of a filtered page.
      if (entry.checkpoint.length > 0) {
        yield await this.toTuple(
          cursor.threadId,
          entry.member,
          entry.checkpoint,
          entry.metadata,
          entry.writes,
        );
        query.remaining--;
      }
      if (cursor.needsFill()) await cursor.fill(query, read, keep, pageSize);
      if (cursor.head()) heap.push(cursor);
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
    const threadId = requireThreadId(config.configurable?.thread_id);
    const ns = requireNamespace(config.configurable?.checkpoint_ns);
    const parentId = optionalCheckpointId(config.configurable?.checkpoint_id);
    const checkpointId = checkpoint?.id;
    if (typeof checkpointId !== "string" || checkpointId.length === 0) {
      throw new InvalidIdentifierError(
        "checkpoint.id",
        checkpointId,
        "a checkpoint needs a non-empty string id",
      );
    }
    const ifHead = options?.ifHead;
    if (
      ifHead !== undefined &&
      ifHead !== null &&
      (typeof ifHead !== "string" || ifHead.length === 0)
    ) {
      throw new InvalidIdentifierError(
        "ifHead",
        ifHead,
        "pass a checkpoint id, null, or leave it out",
      );
    }
    const keys = this.keysOf(threadId);
    const [checkpointRecord, metadataRecord] = await Promise.all([
      this.codec.encode([parentId ?? null], checkpoint, `Checkpoint "${checkpointId}"`),
      this.codec.encode([], metadata, `Metadata of checkpoint "${checkpointId}"`),
    ]);
    const script = this.run("put", SCRIPTS.put, keys, [
      toHex(ns),
      toHex(checkpointId),
      checkpointRecord,
      metadataRecord,
      ifHead === undefined ? "" : ifHead === null ? "null" : "id",
      typeof ifHead === "string" ? toHex(ifHead) : "",
      this.ttlArg,
    ]);
    // The thread index is a key of its own (another Cluster slot), so it
    // cannot be written by the thread's script. On the first put of a thread
    // in this process it is sent together with the script (on one connection
    // it arrives first, so a listed thread is never missing from the index);
    // later, the script says when it (re)created the thread, e.g. after a
    // deleteThread or expiry elsewhere, and the index entry is added then.
    const known = this.indexed.has(keys.threadHex);
    const [reply] = await Promise.all([
      script,
      known
        ? undefined
        : this.call("put", () => this.client.zadd(this.indexKey, 0, keys.threadHex)),
    ]);
    const [status, detail] = reply as [number, Buffer | number];
    if (status !== 1) {
      const actual =
        Buffer.isBuffer(detail) && detail.length > 0 ? fromHex(detail.toString()) : null;
      throw new CheckpointConflictError(threadId, ifHead ?? null, actual);
    }
    if (known && detail === 1) {
      await this.call("put", () => this.client.zadd(this.indexKey, 0, keys.threadHex));
    }
    this.remember(keys.threadHex);
    return {
      configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId },
    };
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
    const threadId = requireThreadId(config.configurable?.thread_id);
    const ns = requireNamespace(config.configurable?.checkpoint_ns);
    const checkpointId = optionalCheckpointId(config.configurable?.checkpoint_id);
    if (checkpointId === undefined) {
      throw new InvalidIdentifierError(
        "checkpoint_id",
        checkpointId,
        "putWrites stores writes against a checkpoint: pass config.configurable.checkpoint_id",
      );
    }
    if (typeof taskId !== "string") {
      throw new InvalidIdentifierError("taskId", taskId, "pass the task id as a string");
    }
    if (writes.length === 0) return;
    const keys = this.keysOf(threadId);
    const taskHex = toHex(taskId);
    // Every task of a run writes to the same checkpoint: encode its field base once.
    if (this.lastBase.ns !== ns || this.lastBase.checkpointId !== checkpointId) {
      this.lastBase = { ns, checkpointId, base: `${toHex(ns)}${SEP}${toHex(checkpointId)}${SEP}` };
    }
    const args: (string | Buffer)[] = [this.lastBase.base, this.ttlArg];
    for (let i = 0; i < writes.length; i++) {
      const [channel, value] = writes[i]!;
      const idx = writeIndex(channel, i);
      const header = [taskId, idx, channel, taskPath ?? ""];
      const owner = () => `Write to "${channel}" of task "${taskId}"`;
      const record =
        this.codec.encodeSync(header, value, owner) ??
        (await this.codec.encode(header, value, owner));
      args.push(`${taskHex}${SEP}${idx}`, replacesOnWrite(channel) ? "1" : "0", record);
    }
    await this.run("putWrites", SCRIPTS.putWrites, keys, args);
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
    const keys = this.keysOf(requireThreadId(threadId));
    this.indexed.delete(keys.threadHex);
    // The index entry goes first: a put racing with the delete then either
    // lands before the DEL (and is deleted) or re-creates the thread after it,
    // in which case its script reports "created" and it re-adds the entry.
    await this.call("deleteThread", () =>
      Promise.all([this.client.zrem(this.indexKey, keys.threadHex), this.client.del(...keys.all)]),
    );
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
    if (!this.owned) return;
    const client = this.client;
    if (client.status === "end") return;
    if (client.status !== "ready") {
      client.disconnect();
      return;
    }
    const ended = new Promise<void>((resolve) => client.once("end", () => resolve()));
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
    await ended;
  }

  private readonly readPage: PageReader = async (keys, range, max, count, withBodies) => {
    const page = (await this.run("list", SCRIPTS.list, keys, [
      range.mode,
      max,
      range.min,
      String(count),
      withBodies ? "1" : "0",
      this.readTtlArg,
    ])) as Buffer[][];
    return page.map(([indexMember, member, metadata, checkpoint, writes]) => {
      const m = member!.toString();
      return {
        indexMember: indexMember!.toString(),
        member: m,
        idHex: m.slice(m.indexOf(SEP) + 1),
        metadata: metadata!,
        checkpoint: checkpoint!,
        writes: writes as unknown as Buffer[],
      };
    });
  };

  private filterPage(query: ListQuery): PageFilter {
    return async (keys, entries, budget) => {
      const matched: ListEntry[] = [];
      for (const entry of entries) {
        if (matched.length >= budget) break;
        const { value } = await this.codec.decode(entry.metadata);
        if (matchesMetadataFilter(value as Record<string, unknown>, query.filter))
          matched.push(entry);
      }
      if (matched.length === 0) return matched;
      const bodies = (await this.run(
        "list",
        SCRIPTS.fetch,
        keys,
        matched.map((e) => e.member),
      )) as Buffer[][];
      matched.forEach((entry, i) => {
        entry.checkpoint = bodies[i]![0]!;
        entry.writes = bodies[i]![1] as unknown as Buffer[];
      });
      return matched;
    };
  }

  private async allThreadIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = "-";
    for (;;) {
      const page = (await this.call("list", () =>
        this.client.zrangebylex(this.indexKey, cursor, "+", "LIMIT", 0, INDEX_PAGE),
      )) as string[];
      for (const hex of page) ids.push(fromHex(hex));
      if (page.length < INDEX_PAGE) return ids;
      cursor = `(${page[page.length - 1]}`;
    }
  }

  // A thread in the index may have expired (TTL) or been deleted by hand.
  // Removing its entry must not race a put that re-creates the thread: remove,
  // look again, and put it back if the thread exists after all. A put that
  // re-creates it later reports "created" and re-adds the entry itself.
  private async pruneThreadIndex(keys: ThreadKeys): Promise<void> {
    if ((await this.run("list", SCRIPTS.exists, keys, [])) === 1) return;
    await this.call("list", () => this.client.zrem(this.indexKey, keys.threadHex));
    if ((await this.run("list", SCRIPTS.exists, keys, [])) === 1) {
      await this.call("list", () => this.client.zadd(this.indexKey, 0, keys.threadHex));
    }
    this.indexed.delete(keys.threadHex);
  }

  private async toTuple(
    threadId: string,
    member: string,
    checkpointRecord: Buffer,
    metadataRecord: Buffer,
    writeRecords: Buffer[],
  ): Promise<CheckpointTuple> {
    const sep = member.indexOf(SEP);
    const ns = fromHex(member.slice(0, sep));
    const checkpointId = fromHex(member.slice(sep + 1));
    const [cp, md, writes] = await Promise.all([
      this.codec.decode(checkpointRecord),
      metadataRecord.length > 0 ? this.codec.decode(metadataRecord) : undefined,
      Promise.all(writeRecords.map((record) => this.decodeWrite(record))),
    ]);
    writes.sort(compareWrites);
    const parentId = cp.header[0];
    const tuple: CheckpointTuple = {
      config: {
        configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId },
      },
      checkpoint: cp.value as Checkpoint,
      metadata: md?.value as CheckpointMetadata | undefined,
      pendingWrites: writes.map((w): CheckpointPendingWrite => [w.taskId, w.channel, w.value]),
    };
    if (typeof parentId === "string") {
      tuple.parentConfig = {
        configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: parentId },
      };
    }
    return tuple;
  }

  private async decodeWrite(record: Buffer): Promise<DecodedWrite> {
    const header = readHeader(record);
    const [taskId, idx, channel, taskPath] = header;
    if (typeof taskId !== "string" || typeof idx !== "number" || typeof channel !== "string") {
      throw new CorruptValueError("write record with a malformed header");
    }
    const { value } = await this.codec.decode(record);
    return { taskId, idx, channel, taskPath: typeof taskPath === "string" ? taskPath : "", value };
  }

  // A run touches the same thread on every call; its key names are built once.
  private lastBase = { ns: "", checkpointId: "", base: "" };

  private keysOf(threadId: string): ThreadKeys {
    let keys = this.keyCache.get(threadId);
    if (!keys) {
      if (this.keyCache.size >= KEY_CACHE) this.keyCache.clear();
      keys = threadKeys(this.prefix, threadId);
      this.keyCache.set(threadId, keys);
    }
    return keys;
  }

  private remember(threadHex: string): void {
    if (this.indexed.size >= INDEXED_CACHE) this.indexed.clear();
    this.indexed.add(threadHex);
  }

  private run(
    operation: string,
    script: Script,
    keys: ThreadKeys,
    args: readonly (string | Buffer)[],
  ): Promise<Reply> {
    return this.call(operation, () => script.run(this.client, keys.all, args));
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toSavepointError(err, this.where, operation, this.lastConnectionError);
    }
  }
}

// pendingWrites order: (task_path, task_id, idx), strings by code point.
function compareWrites(a: DecodedWrite, b: DecodedWrite): number {
  return (
    compareCodePoints(a.taskPath, b.taskPath) ||
    compareCodePoints(a.taskId, b.taskId) ||
    a.idx - b.idx
  );
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from code-point order only around surrogates; UTF-8
  // byte order is code-point order, so compare bytes in that (rare) case.
  const fast = a < b ? -1 : 1;
  if (!/[\ud800-\udfff]/.test(a) && !/[\ud800-\udfff]/.test(b)) return fast;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
