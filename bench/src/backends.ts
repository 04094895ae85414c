// Where the benchmarks store: memory, PGlite, the Postgres server, Redis.
// Each backend opens Savepoint's saver (and LangGraph.js's, where LangGraph
// has one for that store) on a dedicated schema / key prefix that is cleaned
// first, so a run never reads an earlier run's data.
import { PGlite } from "@electric-sql/pglite";
import { MemorySaver as LgMemorySaver } from "@langchain/langgraph";
import { PostgresSaver as LgPostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { CheckpointSaver } from "@savepoint/core";
import { MemorySaver } from "@savepoint/memory";
import { PostgresSaver } from "@savepoint/postgres";
import { RedisSaver } from "@savepoint/redis";
import { Redis } from "ioredis";
import postgres from "postgres";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const SCHEMA = "savepoint_bench";
export const LG_SCHEMA = "savepoint_bench_langgraph";
export const PREFIX = "savepoint_bench";

export type BackendId = "memory" | "pglite" | "postgres" | "redis";
export const BACKEND_IDS: readonly BackendId[] = ["memory", "pglite", "postgres", "redis"];

export const BACKEND_LABELS: Record<BackendId, string> = {
  memory: "memory",
  pglite: "PGlite",
  postgres: "PostgreSQL",
  redis: "Redis",
};

/** One opened backend: our saver, LangGraph's (if any), and what the anchors need. */
export interface OpenBackend {
  id: BackendId;
  /** A fresh Savepoint saver; memory hands out a new one per call so runs do not pile up. */
  saver(): CheckpointSaver;
  /** LangGraph.js's saver on the same store, when LangGraph has one. */
  langgraph?: () => any;
  /** A postgres.js client on the same server (postgres only), for anchors and query counts. */
  sql?: postgres.Sql;
  /** The PGlite instance (pglite only), for the anchors. */
  pglite?: PGlite;
  /** An ioredis client (redis only), for the anchors. */
  redis?: Redis;
  close(): Promise<void>;
}

export type Opened = { ok: true; backend: OpenBackend } | { ok: false; reason: string };

export async function openBackend(id: BackendId): Promise<Opened> {
  try {
    switch (id) {
      case "memory":
        return { ok: true, backend: openMemory() };
      case "pglite":
        return { ok: true, backend: await openPGlite() };
      case "postgres":
        return { ok: true, backend: await openPostgres() };
      case "redis":
        return { ok: true, backend: await openRedis() };
    }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

function openMemory(): OpenBackend {
  return {
    id: "memory",
    saver: () => new MemorySaver(),
    langgraph: () => new LgMemorySaver(),
    close: async () => {},
  };
}

// In-memory PGlite (no data directory): the embedded database without the
// file system underneath, the same instance for the anchors and the saver.
async function openPGlite(): Promise<OpenBackend> {
  const pg = await PGlite.create();
  const saver = new PostgresSaver(pg, { schema: SCHEMA });
  await saver.setup();
  return {
    id: "pglite",
    saver: () => saver,
    pglite: pg,
    close: async () => {
      await saver.close();
      await pg.close();
    },
  };
}

/** Fails fast (3 s) when the server is not there, instead of postgres.js's long retry. */
async function reachPostgres(): Promise<postgres.Sql> {
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, connect_timeout: 3 });
  try {
    await sql`select 1`;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new Error(
      `PostgreSQL is not reachable at ${redact(DATABASE_URL)} (${err instanceof Error ? err.message : err})`,
    );
  }
  return sql;
}

async function openPostgres(): Promise<OpenBackend> {
  const sql = await reachPostgres();
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${LG_SCHEMA} CASCADE`);
  await sql.unsafe(`CREATE SCHEMA ${LG_SCHEMA}`);
  const saver = new PostgresSaver(sql, { schema: SCHEMA });
  await saver.setup();
  const lg = LgPostgresSaver.fromConnString(DATABASE_URL, { schema: LG_SCHEMA });
  await lg.setup();
  return {
    id: "postgres",
    saver: () => saver,
    langgraph: () => lg,
    sql,
    close: async () => {
      await saver.close();
      await lg.end();
      await sql.end({ timeout: 5 });
    },
  };
}

async function openRedis(): Promise<OpenBackend> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${redact(REDIS_URL)} (${err instanceof Error ? err.message : err})`,
    );
  }
  await deleteByPrefix(redis, `${PREFIX}:*`);
  const saver = new RedisSaver(REDIS_URL, { prefix: PREFIX });
  return {
    id: "redis",
    saver: () => saver,
    redis,
    close: async () => {
      await deleteByPrefix(redis, `${PREFIX}:*`);
      await saver.close();
      redis.disconnect();
    },
  };
}

/** SCAN + UNLINK (never KEYS): removes what an earlier run left under the prefix. */
export async function deleteByPrefix(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
