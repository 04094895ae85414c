// Storage after a long chat: one LangGraph.js `MessagesAnnotation` thread of
// N turns (a human message and a model reply each), run under each saver,
// then the bytes the thread occupies in storage. Savepoint's savers store a
// channel value once per version, and a list that grows by appends as the
// tail of its previous version (saver-kit/list-chains.ts); each runs again
// with `listChainLimit: 0`, every version of the list whole (the layout
// before), and "full copies" is what storing every checkpoint's whole state
// would take, measured by encoding each checkpoint the thread holds.
// Per-turn time (the whole turn, and the saver's puts in it) and per-turn
// growth of what is stored are compared between the first and the last
// tenth of the thread: a write whose cost grew with the thread's length
// would show there. The read is getTuple of
// the thread's head once it is long, what each turn of a run starts with.
import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import {
  type BaseCheckpointSaver,
  END,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { PostgresSaver as LgPostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { defaultSerializer } from "@savepoint/core";
import { MemorySaver, MemoryStorage } from "@savepoint/memory";
import { PostgresSaver } from "@savepoint/postgres";
import { RedisSaver } from "@savepoint/redis";
import { Redis } from "ioredis";
import postgres from "postgres";
import { say } from "./log.js";
import { DATABASE_URL, REDIS_URL } from "./services.js";
import { memoryBytes, pgliteSchemaBytes, redisPrefixBytes, schemaBytes } from "./stored-bytes.js";

/** One saver's figures for the thread. */
export interface StorageResult {
  saver: string;
  turns: number;
  /** Bytes the thread occupies as stored. */
  bytes: number;
  /** Bytes of every checkpoint's whole state, encoded: what full copies would take. */
  fullCopyBytes?: number;
  /** Median ms per turn over the first and the last tenth of the thread. */
  firstTenthMs: number;
  lastTenthMs: number;
  /** Median ms the saver's puts took per turn, over the first and the last tenth. */
  putFirstTenthMs: number;
  putLastTenthMs: number;
  /** Median ms of a getTuple of the thread's head after the last turn. */
  readMs: number;
  /**
   * Bytes the thread's storage grew by per turn, averaged over the first and
   * over the last tenth of the thread: what a turn writes, as stored.
   */
  storedFirstTenthPerTurn?: number;
  storedLastTenthPerTurn?: number;
}

const STORAGE_SCHEMA = "savepoint_bench_storage";
const LG_STORAGE_SCHEMA = "savepoint_bench_storage_lg";
const PREFIX = "savepoint_bench_storage";

function chatGraph(checkpointer: BaseCheckpointSaver) {
  const model = new FakeListChatModel({
    responses: ["Here is a considered answer to that, with some detail to carry the thread along."],
  });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state) => ({
      messages: [await model.invoke(state.messages.slice(-4))],
    }))
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile({ checkpointer });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

// Adds the time of every `put` to `spent.ms` (puts a turn runs in the
// background overlap, so this is the saver's cost, not the turn's wait).
function timePuts(saver: BaseCheckpointSaver): { ms: number } {
  const spent = { ms: 0 };
  const put = saver.put.bind(saver);
  saver.put = async (...args: Parameters<BaseCheckpointSaver["put"]>) => {
    const t0 = performance.now();
    try {
      return await put(...args);
    } finally {
      spent.ms += performance.now() - t0;
    }
  };
  return spent;
}

// `stored` reads what the thread occupies now; it is read between turns
// (never inside a timed one) where the first tenth starts and ends and
// where the last tenth starts and ends.
async function chat(
  saver: BaseCheckpointSaver,
  threadId: string,
  turns: number,
  stored: () => Promise<number>,
) {
  const graph = chatGraph(saver);
  const config = { configurable: { thread_id: threadId } };
  const spent = timePuts(saver);
  const times: number[] = [];
  const puts: number[] = [];
  const tenth = Math.max(1, Math.floor(turns / 10));
  // Turns after which what is stored is read (0: before the first).
  const marks = new Set([0, tenth, turns - tenth, turns]);
  const bytesAt = new Map<number, number>([[0, await stored()]]);
  for (let turn = 0; turn < turns; turn++) {
    const t0 = performance.now();
    spent.ms = 0;
    await graph.invoke(
      { messages: [new HumanMessage(`Question number ${turn}: what next?`)] },
      config,
    );
    times.push(performance.now() - t0);
    puts.push(spent.ms);
    if (marks.has(turn + 1)) bytesAt.set(turn + 1, await stored());
  }
  const reads: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    await saver.getTuple(config);
    reads.push(performance.now() - t0);
  }
  const grown = (from: number, to: number) => (bytesAt.get(to)! - bytesAt.get(from)!) / (to - from);
  return {
    storedFirstTenthPerTurn: grown(0, tenth),
    storedLastTenthPerTurn: grown(turns - tenth, turns),
    firstTenthMs: median(times.slice(0, tenth)),
    lastTenthMs: median(times.slice(-tenth)),
    putFirstTenthMs: median(puts.slice(0, tenth)),
    putLastTenthMs: median(puts.slice(-tenth)),
    readMs: median(reads),
  };
}

// What full copies would take: each checkpoint's whole state, encoded.
async function fullCopyBytes(saver: BaseCheckpointSaver, threadId: string): Promise<number> {
  let bytes = 0;
  for await (const tuple of saver.list({ configurable: { thread_id: threadId } })) {
    bytes += Buffer.byteLength(defaultSerializer.encode(tuple.checkpoint));
  }
  return bytes;
}

// Each of Savepoint's savers runs twice: lists as tails (the default) and
// every version whole (`listChainLimit: 0`, the layout before).
const VARIANTS = [
  { label: "", limit: undefined },
  { label: ", lists whole", limit: 0 },
] as const;

/** Runs the study on every saver that answers; a saver that throws is left out with a line. */
export async function measureStorage(turns: number): Promise<StorageResult[]> {
  const results: StorageResult[] = [];
  const thread = `storage-${Date.now()}`;

  for (const { label, limit } of VARIANTS) {
    say(`storage: memory${label}, ${turns} turns`);
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, listChainLimit: limit });
    const timing = await chat(saver as unknown as BaseCheckpointSaver, thread, turns, async () =>
      memoryBytes(storage.threads),
    );
    const bytes = memoryBytes(storage.threads);
    const full = await fullCopyBytes(saver as unknown as BaseCheckpointSaver, thread);
    results.push({
      saver: `Savepoint memory${label}`,
      turns,
      bytes,
      fullCopyBytes: full,
      ...timing,
    });
  }

  // A generous connect timeout: the collection of the memory runs' heap (a
  // gigabyte with lists whole) can hold the event loop for seconds here.
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, connect_timeout: 30 });
  try {
    for (const { label, limit } of VARIANTS) {
      await sql.unsafe(`DROP SCHEMA IF EXISTS ${STORAGE_SCHEMA} CASCADE`);
      say(`storage: Savepoint PostgreSQL${label}, ${turns} turns`);
      const ours = new PostgresSaver(sql, { schema: STORAGE_SCHEMA, listChainLimit: limit });
      const timing = await chat(ours as unknown as BaseCheckpointSaver, thread, turns, () =>
        schemaBytes(sql, STORAGE_SCHEMA),
      );
      results.push({
        saver: `Savepoint PostgreSQL${label}`,
        turns,
        bytes: await schemaBytes(sql, STORAGE_SCHEMA),
        fullCopyBytes: await fullCopyBytes(ours as unknown as BaseCheckpointSaver, thread),
        ...timing,
      });
      await ours.close();
    }
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${LG_STORAGE_SCHEMA} CASCADE`);
    await sql.unsafe(`CREATE SCHEMA ${LG_STORAGE_SCHEMA}`);
    say(`storage: LangGraph.js PostgresSaver, ${turns} turns`);
    const lg = LgPostgresSaver.fromConnString(DATABASE_URL, { schema: LG_STORAGE_SCHEMA });
    await lg.setup();
    const lgTiming = await chat(lg, thread, turns, () => schemaBytes(sql, LG_STORAGE_SCHEMA));
    results.push({
      saver: "LangGraph.js PostgresSaver",
      turns,
      bytes: await schemaBytes(sql, LG_STORAGE_SCHEMA),
      ...lgTiming,
    });
    await lg.end();
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${STORAGE_SCHEMA} CASCADE`);
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${LG_STORAGE_SCHEMA} CASCADE`);
  } catch (error) {
    say(`storage: PostgreSQL left out (${error instanceof Error ? error.message : error})`);
  } finally {
    await sql.end({ timeout: 5 });
  }

  for (const { label, limit } of VARIANTS) {
    say(`storage: Savepoint PGlite${label}, ${turns} turns`);
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create();
    const saver = new PostgresSaver(pg, { schema: STORAGE_SCHEMA, listChainLimit: limit });
    const timing = await chat(saver as unknown as BaseCheckpointSaver, thread, turns, () =>
      pgliteSchemaBytes(pg, STORAGE_SCHEMA),
    );
    const bytes = await pgliteSchemaBytes(pg, STORAGE_SCHEMA);
    results.push({
      saver: `Savepoint PGlite${label}`,
      turns,
      bytes,
      fullCopyBytes: await fullCopyBytes(saver as unknown as BaseCheckpointSaver, thread),
      ...timing,
    });
    await saver.close();
    await pg.close();
  }

  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const { label, limit } of VARIANTS) {
      say(`storage: Savepoint Redis${label}, ${turns} turns`);
      const saver = new RedisSaver(redis, { prefix: PREFIX, listChainLimit: limit });
      const timing = await chat(saver as unknown as BaseCheckpointSaver, thread, turns, () =>
        redisPrefixBytes(redis, PREFIX),
      );
      const bytes = await redisPrefixBytes(redis, PREFIX);
      results.push({
        saver: `Savepoint Redis${label}`,
        turns,
        bytes,
        fullCopyBytes: await fullCopyBytes(saver as unknown as BaseCheckpointSaver, thread),
        ...timing,
      });
      await saver.deleteThread(thread);
    }
  } catch (error) {
    say(`storage: Redis left out (${error instanceof Error ? error.message : error})`);
  } finally {
    redis.disconnect();
  }
  return results;
}
