import {
  batchEntries,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointSaver,
  type CheckpointTuple,
  checkpointConfig,
  defaultSerializer,
  LangGraphSaverMethods,
  type ListChains,
  type ListedThread,
  listChainsFor,
  type PendingWrite,
  type PruneOptions,
  type PruneResult,
  type PutOptions,
  type PutWritesOptions,
  type ResolvedTtl,
  type RunnableConfig,
  resolveTtl,
  type SaverThreadQuery,
  type SerializerProtocol,
  StorageUnavailableError,
  type SweepOptions,
  type SweepResult,
  type TaskWritesEntry,
  tupleTarget,
} from "@savepoint/core";
import {
  openDriver,
  type PostgresSource,
  planSource,
  type SourcePlan,
  type SqlDriver,
} from "./driver.js";
import { putUnderHead } from "./heads.js";
import {
  checkpointIdOf,
  keyOf,
  nsKeyOf,
  nsOf,
  requiredCheckpointIdOf,
  storableId,
  threadIdArg,
  threadIdOf,
} from "./identifiers.js";
import { RecentClocks } from "./idle-clocks.js";
import { listScope, listTuples } from "./listing.js";
import { migrate, quoteSchema } from "./migrations.js";
import type { PostgresSaverOptions } from "./options.js";
import { putQuery } from "./puts.js";
import { copyThread, pruneThreads, type RetentionContext, sweepThreads } from "./retention.js";
import type { BoundQuery, Row } from "./sql.js";
import { type Statements, statements } from "./statements.js";
import { type Sweeper, type SweeperOptions, Sweepers } from "./sweeper.js";
import { listThreadRecords, recordParams } from "./thread-records.js";
import { type PostgresTimeouts, resolveTimeouts } from "./timeouts.js";
import { rowToTuple, withPendingSends } from "./tuples.js";
import { ValueCodec } from "./values.js";
import { batchWritesQuery, writesQuery } from "./writes.js";

/**
 * A checkpoint saver on Postgres: a server through postgres.js, or PGlite
 * (Postgres compiled to WebAssembly) in-process with no server at all.
 *
 * - `new PostgresSaver()` stores in PGlite under `./.savepoint/pglite`.
 * - The schema is created on first use (or by calling `setup()`), with
 *   versioned migrations that are safe when many processes start at once.
 * - A task write is one statement; a checkpoint and its new channel values
 *   (stored once per channel and version) are one statement; `getTuple` is
 *   one query; a `list` page is one query.
 * - `put(..., { ifHead })` is decided by a row lock in the database, so of two
 *   runs continuing one thread exactly one commits.
 * - Thread records (`capabilities.threads`) change inside the statement of
 *   the put or writes they accompany; a `listThreads` page is one query.
 * - Retention (`capabilities.retention`): `prune`, `copyThread`, and with a
 *   `ttl`, `sweep()` (from a cron) or `startSweeper()`, safe with many processes.
 * - It closes only what it opened: an injected client or PGlite stays open.
 *
 * @example
 * ```ts
 * import { PostgresSaver } from "@savepoint/postgres";
 *
 * const saver = new PostgresSaver(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/app");
 * const workflow = entrypoint({ name: "wf", checkpointer: saver }, async (x: number) => x + 1);
 * await workflow.invoke(1, { configurable: { thread_id: "t-1" } });
 * await saver.close();
 * ```
 */
export class PostgresSaver extends LangGraphSaverMethods implements CheckpointSaver {
  /**
   * What this saver guarantees beyond LangGraph's contract. `put` checks
   * `ifHead` under the head row's lock, so the check and the write are one statement.
   */
  readonly capabilities = {
    /** `put` honours `ifHead` atomically, so two runs continuing one thread cannot both commit. */
    conditionalPut: true,
    /** A record per thread, changed in the statement of its put or writes; `listThreads` lists them. */
    threads: true,
    /** `prune`, `copyThread` and `sweep`, each keeping what a thread needs now. */
    retention: true,
  } as const;
  /** The serializer values are stored with. */
  readonly serde: SerializerProtocol;
  /** The schema the tables live in. */
  readonly schema: string;

  private readonly source: SourcePlan;
  private readonly timeouts: Required<PostgresTimeouts>;
  private readonly codec: ValueCodec;
  // The lists this saver stored last, so a put of a longer one stores its
  // tail (Savepoint's serializer only: a tail is its JSON).
  private readonly chains: ListChains | undefined;
  private readonly sql: Statements;
  private readonly ttl: ResolvedTtl | undefined;
  private readonly clocks: RecentClocks;
  private readonly sweepers = new Sweepers((options) => this.sweep(options));
  private ready: Promise<SqlDriver> | undefined;
  private driver: SqlDriver | undefined;
  private closed = false;
  private inline = false;
  private newRecords = 0;
  private analyzeAt = 1_000;

  /**
   * @param source A postgres.js client, a `postgres://` URL, a PGlite
   * instance, `"memory://"` (in-memory PGlite) or a PGlite data directory
   * (an absolute path, one starting with `./` or `../`, or a relative path
   * without `:` or `//`). Default: PGlite in `./.savepoint/pglite`. Any
   * other string throws `InvalidArgumentError` here, its password redacted.
   *
   * @example
   * ```ts
   * new PostgresSaver(postgres(url));           // borrowed postgres.js client
   * new PostgresSaver("postgresql://u@h/db");   // opened and closed by the saver
   * new PostgresSaver(await PGlite.create());   // borrowed PGlite
   * new PostgresSaver("./data/pglite");         // PGlite opened at a directory
   * ```
   */
  constructor(source?: PostgresSource, options: PostgresSaverOptions = {}) {
    super();
    // Checked here, before anything is opened or created: a string that is
    // not a URL, "memory://" or a path is an InvalidArgumentError now.
    this.source = planSource(source);
    this.timeouts = resolveTimeouts(options.timeouts);
    this.schema = options.schema ?? "savepoint";
    this.serde = options.serde ?? defaultSerializer;
    this.codec = new ValueCodec(this.serde);
    this.chains = listChainsFor(this.serde, options.listChainLimit, "PostgresSaver");
    this.sql = statements(quoteSchema(this.schema));
    this.ttl = resolveTtl(options.ttl, "PostgresSaver");
    this.clocks = new RecentClocks();
  }

  /**
   * Opens the connection (if owned) and brings the schema up to date; every method
   * calls it first. Throws `SchemaVersionError` for a database of a newer release.
   *
   * @example
   * ```ts
   * const saver = new PostgresSaver(url);
   * await saver.setup();
   * ```
   */
  async setup(): Promise<void> {
    await this.db();
  }

  /**
   * Closes what the saver opened (a URL's pool, a data directory's PGlite);
   * an injected client is left open for its owner.
   *
   * @example
   * ```ts
   * await saver.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sweepers.stopAll();
    const pending = this.ready;
    this.ready = undefined;
    const driver = this.driver ?? (pending ? await pending.catch(() => this.driver) : undefined);
    this.driver = undefined;
    await driver?.close();
  }

  /** Same as {@link PostgresSaver.close}, named as postgres.js names it. */
  end(): Promise<void> {
    return this.close();
  }

  private db(): Promise<SqlDriver> {
    if (this.closed) {
      return Promise.reject(
        new StorageUnavailableError(
          "This PostgresSaver was closed; create a new one to keep working.",
        ),
      );
    }
    if (!this.ready) {
      const opening = (async () => {
        const driver = this.driver ?? (await openDriver(this.source, this.timeouts));
        this.driver = driver;
        await migrate(driver, this.schema);
        // While rows with inline values remain, a put stores every channel its
        // checkpoint lists (the first stored wins), so a child of such a row
        // does not depend on its parent's inline values.
        const [inline] = await driver.query(this.sql.inlineRows);
        this.inline = inline?.inline === true;
        return driver;
      })();
      // A failed start (server down, newer schema) is retried on the next call.
      opening.catch(() => {
        if (this.ready === opening) this.ready = undefined;
      });
      this.ready = opening;
    }
    return this.ready;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    // LangGraph's contract: a config without a thread_id names no checkpoint.
    if (!tupleTarget(config, "getTuple")) return undefined;
    const threadId = threadIdOf(config, "getTuple");
    const ns = nsOf(config, "getTuple");
    const checkpointId = checkpointIdOf(config, "getTuple");
    const db = await this.db();
    const tk = keyOf(threadId);
    const nk = nsKeyOf(ns);
    const q = this.ttl?.refreshOnRead ? this.sql.touching : this.sql;
    const rows = checkpointId
      ? await db.query(q.tupleById, [tk, nk, checkpointId, threadId, ns])
      : await db.query(q.latestTuple, [tk, nk, threadId, ns]);
    const row = rows[0];
    return row ? this.upgraded(db, await rowToTuple(row, this.codec)) : undefined;
  }

  // A thread's first checkpoint adds its record. Each time the records this
  // saver added double (from 1,000), it refreshes the planner's statistics
  // of the threads table: PGlite runs no autovacuum, and with stale counts
  // the planner reads a whole status and sorts it instead of taking one page
  // from the index. A failed ANALYZE only leaves the statistics as they were.
  private recordsAdded(db: SqlDriver): void {
    if (++this.newRecords < this.analyzeAt) return;
    this.analyzeAt *= 2;
    db.query(this.sql.analyzeThreads, []).catch(() => {});
  }

  private upgraded(db: SqlDriver, tuple: CheckpointTuple): Promise<CheckpointTuple> {
    return withPendingSends(db, this.sql, this.codec, tuple);
  }

  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const { scope, limit } = listScope(config, options, this.codec);
    if (limit <= 0) return;
    yield* listTuples(await this.db(), this.sql, this.codec, scope, limit);
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
    options?: PutOptions,
  ): Promise<RunnableConfig> {
    const threadId = threadIdOf(config, "put");
    const ns = nsOf(config, "put");
    const parentId = checkpointIdOf(config, "put");
    storableId("put: checkpoint.id", checkpoint?.id);
    if (typeof options?.ifHead === "string") storableId("put: options.ifHead", options.ifHead);
    const db = await this.db(); // first: it tells whether inline rows remain
    const versions = this.inline ? checkpoint.channel_versions : newVersions;
    const chains = this.chains;
    const target = { threadId, ns, parentId, checkpoint, metadata, versions, options, chains };
    const put = await putQuery(this.codec, this.sql, target);
    const sentAt = Date.now();
    const { statement, params, addsRecord } = put;
    if (addsRecord) this.recordsAdded(db);
    let row: Row;
    try {
      row = await putUnderHead(db, this.sql, {
        statement,
        params,
        threadId,
        ns,
        threadKey: params[0] as Buffer,
        nsKey: params[1] as Buffer,
        ifHead: options?.ifHead,
        metadata,
      });
    } catch (error) {
      chains?.forget(threadId, ns);
      throw error;
    }
    // Every put that stores sets its namespace's idle clock on the head row.
    this.clocks.set(threadId, ns, sentAt);
    // Its lists are bases for the next put only if every value it sent was
    // stored (none was there already under the same version).
    if (chains) {
      if (Number(row.values_stored) === put.values) {
        const all = checkpoint.channel_versions;
        chains.committed(threadId, ns, parentId, checkpoint.id, all, versions, put.lists);
      } else chains.forget(threadId, ns);
    }
    return checkpointConfig(threadId, ns, checkpoint.id);
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
    options?: PutWritesOptions,
  ): Promise<void> {
    const to = writeTo(config, "putWrites");
    storableId("putWrites: task_id", taskId, { allowEmpty: true });
    const path = storableId("putWrites: task_path", taskPath ?? "", { allowEmpty: true });
    const target = {
      ...to,
      ...(await this.alongside(to, options)),
      taskId,
      taskPath: path,
      writes,
    };
    await this.write(target, await writesQuery(this.codec, this.sql, target));
  }

  /**
   * The writes of several tasks against the checkpoint in `config`, in one
   * statement: what `putWrites` per entry would store, committed together
   * (the runtime sends a pausing run's task writes and interrupts this way).
   *
   * @example
   * ```ts
   * await saver.putWritesBatch(config, [
   *   { taskId: "0:writeEssay", writes: [["__return__", "An essay"]] },
   *   { taskId: ":workflow", writes: [["__interrupt__", [{ id, value: "Approve?" }]]] },
   * ]);
   * ```
   */
  async putWritesBatch(
    config: RunnableConfig,
    batch: readonly TaskWritesEntry[],
    options?: PutWritesOptions,
  ): Promise<void> {
    const to = writeTo(config, "putWritesBatch");
    const entries = batchEntries(batch).map((entry, i) => ({
      ...entry,
      taskId: storableId(`putWritesBatch: entry ${i} taskId`, entry.taskId, { allowEmpty: true }),
      taskPath: storableId(`putWritesBatch: entry ${i} taskPath`, entry.taskPath, {
        allowEmpty: true,
      }),
    }));
    const target = { ...to, ...(await this.alongside(to, options)), entries };
    await this.write(target, await batchWritesQuery(this.codec, this.sql, target));
  }

  // What a write statement carries beside its writes: the record update's
  // parameters (root namespace only), and whether the idle clock is fresh.
  private async alongside(
    { threadId, ns }: { threadId: string; ns: string },
    options: PutWritesOptions | undefined,
  ) {
    const record =
      options?.thread && ns === ""
        ? await recordParams(this.codec, threadId, options.thread)
        : undefined;
    return { record, clockFresh: this.clocks.fresh(threadId, ns) };
  }

  private async write(
    { threadId, ns }: { threadId: string; ns: string },
    query: BoundQuery | undefined,
  ): Promise<void> {
    if (!query) return;
    const db = await this.db();
    const sentAt = Date.now();
    const rows = await db.query(query.text, query.params);
    // Only a refresh the database applied starts a window (a lease renewal,
    // without writes, is not a write and sends none).
    if (Number(rows[0]?.touched) > 0) this.clocks.set(threadId, ns, sentAt);
  }

  /** Removes every checkpoint and write of one thread, and its record, in one statement. */
  async deleteThread(threadId: string): Promise<void> {
    const id = threadIdArg(threadId, "deleteThread");
    this.chains?.forget(id);
    this.clocks.forget(id);
    const db = await this.db();
    await db.query(this.sql.deleteThread, [keyOf(id)]);
  }

  /**
   * Removes old checkpoints, keeping each namespace's newest `keep` and what
   * a run under way needs; one transaction per thread (see `workflow.prune()`).
   *
   * @example
   * ```ts
   * await saver.prune(["t-1"], { keep: "latest" }); // { threads: 1, checkpoints: 41 }
   * ```
   */
  async prune(threadIds: readonly string[], options: PruneOptions): Promise<PruneResult> {
    if (Array.isArray(threadIds)) {
      for (const id of threadIds) {
        this.chains?.forget(String(id));
        this.clocks.forget(String(id));
      }
    }
    return pruneThreads(await this.retention(), threadIds, options);
  }

  /**
   * Copies a whole thread (every namespace, its writes and record) to a new id, in one transaction.
   *
   * @example
   * ```ts
   * await saver.copyThread("t-1", "t-1-what-if");
   * ```
   */
  async copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    return copyThread(await this.retention(), fromThreadId, toThreadId);
  }

  /**
   * Expires up to `limit` threads idle longer than the `ttl` (none without
   * one), oldest first; `more` says to call again. Safe from many processes.
   *
   * @example
   * ```ts
   * const { deleted, more } = await saver.sweep({ limit: 1_000 });
   * ```
   */
  async sweep(options?: SweepOptions): Promise<SweepResult> {
    try {
      return await sweepThreads(await this.retention(), this.ttl, options);
    } finally {
      // A keep-latest expiry clears clocks: the next write of each thread restarts its own.
      this.clocks.forget();
    }
  }

  /**
   * Sweeps every `everyMs` until `stop()` or `close()`; never two sweeps at
   * once, and the timer does not keep the process alive.
   *
   * @example
   * ```ts
   * const sweeper = saver.startSweeper({ everyMs: 60_000, onError: console.warn });
   * await sweeper.stop();
   * ```
   */
  startSweeper(options: SweeperOptions): Sweeper {
    return this.sweepers.start(options, { hasTtl: this.ttl !== undefined, closed: this.closed });
  }

  private async retention(): Promise<RetentionContext> {
    return { db: await this.db(), sql: this.sql, codec: this.codec };
  }

  /**
   * Thread records matching `query`, newest update first, in one query (the
   * `threads` capability; `workflow.threads()` is the way to call it).
   *
   * @example
   * ```ts
   * const rows = await saver.listThreads({ entrypoint: "review", status: ["interrupted"], limit: 50 });
   * ```
   */
  async listThreads(query: SaverThreadQuery): Promise<ListedThread[]> {
    return listThreadRecords(await this.db(), this.sql, this.codec, query);
  }
}

// The checkpoint a `putWrites` or `putWritesBatch` writes against, checked.
function writeTo(config: RunnableConfig, method: string) {
  return {
    threadId: threadIdOf(config, method),
    ns: nsOf(config, method),
    checkpointId: requiredCheckpointIdOf(config, method),
  };
}
