// Physical anchors: the cheapest thing each store can do, measured in the
// same process and run as the workloads, so a per-task cost reads as "this
// many times the limit". Each is one awaited operation after another, as the
// sync durability mode awaits one write per task.
import type { PGlite } from "@electric-sql/pglite";
import type { Redis } from "ioredis";
import type postgres from "postgres";
import { PREFIX, SCHEMA } from "./backends.js";
import { type CompareOptions, compare } from "./stats.js";

async function empty(i: number): Promise<number> {
  return i;
}

/** A loop of `ops` anchor operations; resolves to its milliseconds. */
export type AnchorLoop = (ops: number) => Promise<number>;

export const emptyCallLoop: AnchorLoop = async (calls) => {
  const t0 = performance.now();
  let s = 0;
  for (let i = 0; i < calls; i++) s += await empty(i);
  const ms = performance.now() - t0;
  if (s < 0) throw new Error("unreachable");
  return ms;
};

const RAW_TABLE = `CREATE TABLE IF NOT EXISTS ${SCHEMA}.raw_insert (id bigserial PRIMARY KEY, k text NOT NULL, v bytea NOT NULL)`;
const RAW_VALUE = Buffer.from('{"v":1}');

export async function postgresInsertLoop(sql: postgres.Sql): Promise<AnchorLoop> {
  await sql.unsafe(RAW_TABLE);
  return async (ops) => {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) {
      await sql.unsafe(
        `INSERT INTO ${SCHEMA}.raw_insert (k, v) VALUES ($1, $2)`,
        [`k${i}`, RAW_VALUE],
        {
          prepare: true,
        },
      );
    }
    return performance.now() - t0;
  };
}

export async function pgliteInsertLoop(pg: PGlite): Promise<AnchorLoop> {
  await pg.exec(RAW_TABLE);
  const value = new Uint8Array(RAW_VALUE);
  return async (ops) => {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) {
      await pg.query(`INSERT INTO ${SCHEMA}.raw_insert (k, v) VALUES ($1, $2)`, [`k${i}`, value]);
    }
    return performance.now() - t0;
  };
}

export function redisSetLoop(redis: Redis): AnchorLoop {
  return async (ops) => {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) await redis.set(`${PREFIX}:raw:${i}`, '{"v":1}');
    return performance.now() - t0;
  };
}

function loop(id: string, ops: number, run: AnchorLoop) {
  return { id, ops, run: () => run(ops) };
}

/** µs per call of an empty async function, awaited: the floor of any in-memory task. */
export async function emptyCall(options: CompareOptions, calls = 1_000_000): Promise<number> {
  const r = await compare([loop("empty", calls, emptyCallLoop)], options);
  return r.empty!.us;
}

/** µs per single-row INSERT (prepared) and per `SELECT 1` on the server. */
export async function postgresAnchors(
  sql: postgres.Sql,
  options: CompareOptions,
  ops = 1000,
): Promise<{ insert: number; select: number }> {
  const select: AnchorLoop = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await sql.unsafe("SELECT 1", [], { prepare: true });
    return performance.now() - t0;
  };
  const r = await compare(
    [loop("insert", ops, await postgresInsertLoop(sql)), loop("select", ops, select)],
    options,
  );
  return { insert: r.insert!.us, select: r.select!.us };
}

/** The same two anchors on PGlite (in process, no network). */
export async function pgliteAnchors(
  pg: PGlite,
  options: CompareOptions,
  ops = 1000,
): Promise<{ insert: number; select: number }> {
  const select: AnchorLoop = async (n) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await pg.query("SELECT 1");
    return performance.now() - t0;
  };
  const r = await compare(
    [loop("insert", ops, await pgliteInsertLoop(pg)), loop("select", ops, select)],
    options,
  );
  return { insert: r.insert!.us, select: r.select!.us };
}

/** µs per awaited `SET` of a small value. */
export async function redisAnchor(
  redis: Redis,
  options: CompareOptions,
  ops = 1000,
): Promise<number> {
  const r = await compare([loop("set", ops, redisSetLoop(redis))], options);
  return r.set!.us;
}
