// The PostgreSQL server (DATABASE_URL): Savepoint's and LangGraph.js's
// Postgres savers on schemas of their own, dropped first, and DBOS beside
// them. The anchors are a prepared single-row INSERT and `SELECT 1`.
import { PostgresSaver as LgPostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PostgresSaver } from "@savepoint/postgres";
import postgres from "postgres";
import { type AnchorLoop, RAW_INSERT, RAW_TABLE, RAW_VALUE, sqlAnchor } from "../anchors.js";
import { launchDbos } from "../dbos.js";
import { DATABASE_URL, LG_SCHEMA, redact, SCHEMA } from "../services.js";
import type { Backend } from "./backend.js";
import { schemaStore } from "./schema-store.js";

/** Fails fast (3 s) when the server is not there, instead of postgres.js's long retry. */
async function reach(): Promise<postgres.Sql> {
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

async function insertLoop(sql: postgres.Sql): Promise<AnchorLoop> {
  await sql.unsafe(RAW_TABLE);
  return async (ops) => {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) {
      await sql.unsafe(RAW_INSERT, [`k${i}`, RAW_VALUE], { prepare: true });
    }
    return performance.now() - t0;
  };
}

export const postgresServer: Backend = {
  id: "postgres",
  durable: true,
  async open() {
    const sql = await reach();
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${LG_SCHEMA} CASCADE`);
    await sql.unsafe(`CREATE SCHEMA ${LG_SCHEMA}`);
    const saver = new PostgresSaver(sql, { schema: SCHEMA });
    await saver.setup();
    const lg = LgPostgresSaver.fromConnString(DATABASE_URL, { schema: LG_SCHEMA });
    await lg.setup();
    const select: AnchorLoop = async (ops) => {
      const t0 = performance.now();
      for (let i = 0; i < ops; i++) await sql.unsafe("SELECT 1", [], { prepare: true });
      return performance.now() - t0;
    };
    return {
      saver: () => saver,
      storeOfItsOwn: (name) => schemaStore(sql, (statement) => sql.unsafe(statement), name),
      langgraph: () => lg,
      dbos: launchDbos,
      anchor: sqlAnchor(
        "on the server",
        { insert: "postgresInsert", select: "postgresSelect" },
        () => insertLoop(sql),
        select,
      ),
      close: async () => {
        await saver.close();
        await lg.end();
        await sql.end({ timeout: 5 });
      },
    };
  },
};
