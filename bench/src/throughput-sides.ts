// What P1 (throughput with many threads) runs: the essay-review flow (task
// writeEssay, interrupt, resume with a Command) on a new thread, as each
// contender writes it, on a store of its own. Savepoint and LangGraph.js
// run the very same program (workloads.ts's FunctionalApi); DBOS runs its
// version of it (dbos.ts: a step, an event, recv and send).
//
// Every saver is made the way a user makes it, from a URL with its own
// defaults (pool sizes included), since how a saver behaves under
// concurrency is part of what is measured.
import { PostgresSaver as LgPostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PostgresSaver } from "@savepoint/postgres";
import { RedisSaver } from "@savepoint/redis";
import postgres from "postgres";
import { deleteByPrefix } from "./backends/redis.js";
import { launchDbos } from "./dbos.js";
import { essayReview } from "./essay.js";
import { langGraphApi } from "./langgraph.js";
import { DATABASE_URL, PREFIX, REDIS_URL, redact } from "./services.js";
import type { ThroughputImpl, ThroughputStore } from "./throughput-results.js";
import { type FunctionalApi, savepointApi, threadId } from "./workloads.js";

export type { ThroughputImpl, ThroughputStore } from "./throughput-results.js";

/** One contender of P1, opened on a clean store. */
export interface ThroughputSide {
  /** "Savepoint PostgreSQL", "LangGraph.js PostgreSQL", "DBOS PostgreSQL". */
  label: string;
  impl: ThroughputImpl;
  store: ThroughputStore;
  /** One essay-review flow, both invokes, on a new thread; throws when it does not finish. */
  flow(): Promise<void>;
  close(): Promise<void>;
}

const TP_SCHEMA = "savepoint_bench_tp";
const LG_TP_SCHEMA = "savepoint_bench_tp_langgraph";
const TP_PREFIX = `${PREFIX}:tp`;

function essayFlow(api: FunctionalApi, checkpointer: unknown, label: string): () => Promise<void> {
  const essay = essayReview(api, checkpointer);
  return async () => {
    const config = { configurable: { thread_id: threadId(label) } };
    const paused = (await essay.invoke("cat", config)) as { __interrupt__?: unknown[] };
    if (!paused.__interrupt__?.length) throw new Error(`P1 ${label}: the flow did not pause`);
    const done = (await essay.invoke(new api.Command({ resume: true }), config)) as {
      isApproved?: boolean;
    };
    if (done.isApproved !== true) throw new Error(`P1 ${label}: the flow did not finish`);
  };
}

async function dropSchemas(...schemas: string[]): Promise<void> {
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, max: 1, connect_timeout: 3 });
  try {
    for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${redact(DATABASE_URL)} (${err instanceof Error ? err.message : err})`,
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function savepointPostgres(): Promise<ThroughputSide> {
  await dropSchemas(TP_SCHEMA);
  const saver = new PostgresSaver(DATABASE_URL, { schema: TP_SCHEMA });
  await saver.setup();
  return {
    label: "Savepoint PostgreSQL",
    impl: "savepoint",
    store: "PostgreSQL",
    flow: essayFlow(savepointApi, saver, "tp-sp-pg"),
    close: async () => {
      await saver.close();
      await dropSchemas(TP_SCHEMA);
    },
  };
}

async function savepointPglite(): Promise<ThroughputSide> {
  const saver = new PostgresSaver("memory://", { schema: TP_SCHEMA });
  await saver.setup();
  return {
    label: "Savepoint PGlite",
    impl: "savepoint",
    store: "PGlite",
    flow: essayFlow(savepointApi, saver, "tp-sp-pglite"),
    close: () => saver.close(),
  };
}

async function savepointRedis(): Promise<ThroughputSide> {
  const saver = new RedisSaver(REDIS_URL, { prefix: TP_PREFIX });
  const clean = async () => {
    const { Redis } = await import("ioredis");
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
    try {
      await deleteByPrefix(client, `${TP_PREFIX}:*`);
    } finally {
      client.disconnect();
    }
  };
  await clean();
  return {
    label: "Savepoint Redis",
    impl: "savepoint",
    store: "Redis",
    flow: essayFlow(savepointApi, saver, "tp-sp-redis"),
    close: async () => {
      await clean();
      await saver.close();
    },
  };
}

async function langGraphPostgres(): Promise<ThroughputSide> {
  await dropSchemas(LG_TP_SCHEMA);
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, max: 1 });
  await sql.unsafe(`CREATE SCHEMA ${LG_TP_SCHEMA}`);
  await sql.end();
  const saver = LgPostgresSaver.fromConnString(DATABASE_URL, { schema: LG_TP_SCHEMA });
  await saver.setup();
  return {
    label: "LangGraph.js PostgreSQL",
    impl: "langgraph",
    store: "PostgreSQL",
    flow: essayFlow(langGraphApi, saver, "tp-lg-pg"),
    close: async () => {
      await saver.end();
      await dropSchemas(LG_TP_SCHEMA);
    },
  };
}

async function dbosPostgres(): Promise<ThroughputSide> {
  const dbos = await launchDbos();
  return {
    label: "DBOS PostgreSQL",
    impl: "dbos",
    store: "PostgreSQL",
    flow: async () => {
      await dbos.reviewFlow(1);
    },
    close: () => dbos.close(),
  };
}

/** The contenders, in the order rounds alternate between them. */
export const THROUGHPUT_SIDES: readonly {
  label: string;
  open: () => Promise<ThroughputSide>;
}[] = [
  { label: "Savepoint PostgreSQL", open: savepointPostgres },
  { label: "LangGraph.js PostgreSQL", open: langGraphPostgres },
  { label: "DBOS PostgreSQL", open: dbosPostgres },
  { label: "Savepoint PGlite", open: savepointPglite },
  { label: "Savepoint Redis", open: savepointRedis },
];
