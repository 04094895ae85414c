import {
  type ChannelHistory,
  type ChannelVersion,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointSaver,
  type CheckpointTuple,
  checkpointConfig,
  checkpointWithoutValues,
  defaultSerializer,
  deltaChannelHistory,
  getCheckpoint,
  indexWrites,
  nextUniqueVersion,
  type PendingWrite,
  type PutOptions,
  quote,
  type RunnableConfig,
  type SerializerProtocol,
  StorageUnavailableError,
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
import { listScope } from "./listing.js";
import { migrate, quoteSchema } from "./migrations.js";
import { type ListCursor, type Statements, statements } from "./statements.js";
import { type PostgresTimeouts, resolveTimeouts } from "./timeouts.js";
import { encodeBlobs, rowToTuple, withPendingSends } from "./tuples.js";
import { ValueCodec } from "./values.js";

/**
 * Options of {@link PostgresSaver}.
 *
 * @example
 * ```ts
 * const options: PostgresSaverOptions = { schema: "workflows" };
 * ```
 */
export interface PostgresSaverOptions {
  /** The schema the tables live in; created by `setup()`. Default `"savepoint"`. */
  schema?: string;
  /** How values are stored. Default: core's `defaultSerializer`. */
  serde?: SerializerProtocol;
  /**
   * How long to wait on a Postgres server before failing with
   * `StorageUnavailableError` (connect, each call, idle connections of an
   * owned pool). Defaults: `{ connectMs: 10_000, queryMs: 30_000, idleMs: 1_000 }`.
   */
  timeouts?: PostgresTimeouts;
}

// How many tuples `list` fetches per query when it has no smaller limit.
const LIST_PAGE = 100;

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
export class PostgresSaver implements CheckpointSaver {
  /**
   * What this saver guarantees beyond LangGraph's contract. `put` checks
   * `ifHead` under the head row's lock, so the check and the write are one statement.
   */
  readonly capabilities = {
    /** `put` honours `ifHead` atomically, so two runs continuing one thread cannot both commit. */
    conditionalPut: true,
  } as const;
  /** The serializer values are stored with. */
  readonly serde: SerializerProtocol;
  /** The schema the tables live in. */
  readonly schema: string;

  private readonly source: SourcePlan;
  private readonly timeouts: Required<PostgresTimeouts>;
  private readonly codec: ValueCodec;
  private readonly sql: Statements;
  private ready: Promise<SqlDriver> | undefined;
  private driver: SqlDriver | undefined;
  private closed = false;
  private inline = false;

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
    // Checked here, before anything is opened or created: a string that is
    // not a URL, "memory://" or a path is an InvalidArgumentError now.
    this.source = planSource(source);
    this.timeouts = resolveTimeouts(options.timeouts);
    this.schema = options.schema ?? "savepoint";
    this.serde = options.serde ?? defaultSerializer;
    this.codec = new ValueCodec(this.serde);
    this.sql = statements(quoteSchema(this.schema));
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
    const rows = checkpointId
      ? await db.query(this.sql.tupleById, [tk, nk, checkpointId, threadId, ns])
      : await db.query(this.sql.latestTuple, [tk, nk, threadId, ns]);
    const row = rows[0];
    return row ? this.upgraded(db, await rowToTuple(row, this.codec)) : undefined;
  }

  private upgraded(db: SqlDriver, tuple: CheckpointTuple): Promise<CheckpointTuple> {
    return withPendingSends(db, this.sql, this.codec, tuple);
  }

  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const { scope, limit } = listScope(config, options, this.codec);
    let remaining = limit;
    if (remaining <= 0) return;
    const db = await this.db();
    let after: ListCursor | undefined;
    while (remaining > 0) {
      const page = Math.min(remaining, LIST_PAGE);
      const { text, params } = this.sql.listPage(scope, after, page);
      const rows = await db.query(text, params);
      for (const row of rows) yield await this.upgraded(db, await rowToTuple(row, this.codec));
      remaining -= rows.length;
      if (rows.length < page) return;
      const last = rows[rows.length - 1]!;
      after = {
        checkpointId: last.checkpoint_id as string,
        threadId: last.thread_id as string,
        ns: last.checkpoint_ns as string,
      };
    }
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
    const checkpointId = storableId("put: checkpoint.id", checkpoint?.id);
    const ifHead = options?.ifHead;
    if (typeof ifHead === "string") storableId("put: options.ifHead", ifHead);
    const stored = checkpointWithoutValues(checkpoint);
    const [type, text] = await this.codec.encode(stored, `Checkpoint ${checkpointId}`);
    const db = await this.db(); // first: it tells whether inline rows remain
    const versions = this.inline ? checkpoint.channel_versions : newVersions;
    const blobs = await encodeBlobs(this.codec, checkpoint, versions, checkpointId);
    const meta = this.codec.metadataToJsonb(metadata ?? {});
    const tk = keyOf(threadId);
    const nk = nsKeyOf(ns);
    const params: unknown[] = [
      tk,
      nk,
      checkpointId,
      threadId,
      ns,
      parentId ?? null,
      type,
      text,
      meta,
      JSON.stringify(checkpoint.channel_versions ?? {}),
      blobs,
    ];
    let statement = this.sql.put;
    if (ifHead === null) statement = this.sql.putIfNoHead;
    else if (typeof ifHead === "string") {
      statement = this.sql.putIfHead;
      params.push(ifHead);
    }
    await putUnderHead(db, this.sql, {
      statement,
      params,
      threadId,
      ns,
      threadKey: tk,
      nsKey: nk,
      ifHead,
      metadata,
    });
    return checkpointConfig(threadId, ns, checkpointId);
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = "",
  ): Promise<void> {
    const threadId = threadIdOf(config, "putWrites");
    const ns = nsOf(config, "putWrites");
    const checkpointId = requiredCheckpointIdOf(config, "putWrites");
    storableId("putWrites: task_id", taskId, { allowEmpty: true });
    const path = storableId("putWrites: task_path", taskPath ?? "", { allowEmpty: true });
    if (writes.length === 0) return;
    // A special channel written twice keeps its last value: one statement
    // cannot touch the same row twice.
    const rows = indexWrites(writes);
    for (const { channel } of rows)
      storableId("putWrites: write channel", channel, { allowEmpty: true });

    const db = await this.db();
    const head = [keyOf(threadId), nsKeyOf(ns), checkpointId, keyOf(taskId)];
    const encoded: [idx: number, channel: string, type: string, text: string][] = [];
    for (const { idx, channel, value } of rows) {
      const owner = () => `Write to ${quote(channel)} of task ${quote(taskId)}`;
      const [type, text] =
        this.codec.encodeSync(value, owner) ?? (await this.codec.encode(value, owner));
      encoded.push([idx, channel, type, text]);
    }
    if (encoded.length === 1) {
      const [idx, channel, type, text] = encoded[0]!;
      const statement = rows[0]!.replaces ? this.sql.writeReplace : this.sql.writeKeep;
      await db.query(statement, [...head, idx, taskId, path, channel, type, text]);
      return;
    }
    await db.query(this.sql.writeMany, [...head, taskId, path, JSON.stringify(encoded)]);
  }

  async deleteThread(threadId: string): Promise<void> {
    const id = threadIdArg(threadId, "deleteThread");
    const db = await this.db();
    await db.query(this.sql.deleteThread, [keyOf(id)]);
  }

  /**
   * The version after `current` (core's `nextUniqueVersion`: forked branches never
   * share a stored value). `any`, so LangGraph's `compile` takes it without a cast.
   *
   * @example
   * ```ts
   * saver.getNextVersion(undefined); // "0000000000000001.0k3j9x2m1"
   * ```
   */
  getNextVersion(current: ChannelVersion | undefined): any {
    return nextUniqueVersion(current);
  }

  /**
   * LangGraph's `get`: the checkpoint `config` names (or the latest).
   * @example
   * ```ts
   * const checkpoint = await saver.get({ configurable: { thread_id: "t1" } });
   * ```
   */
  get(config: RunnableConfig): Promise<Checkpoint | undefined> {
    return getCheckpoint(this, config);
  }

  /** LangGraph's `getDeltaChannelHistory` (core's `deltaChannelHistory`). */
  getDeltaChannelHistory(options: {
    config: RunnableConfig;
    channels: string[];
  }): Promise<Record<string, ChannelHistory>> {
    return deltaChannelHistory(this, options);
  }

  /**
   * What `JSON.stringify` shows of the saver: its name, never its connection.
   * @example
   * ```ts
   * JSON.stringify({ saver }); // '{"saver":"[PostgresSaver]"}'
   * ```
   */
  toJSON(): string {
    return "[PostgresSaver]";
  }
}
