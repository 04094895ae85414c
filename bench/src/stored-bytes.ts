// What a saver's data occupies, read from the store itself, for the studies
// that compare storage (S1, R1): the sum of `pg_column_size` over a
// schema's tables on Postgres and PGlite (live rows, as stored: TOAST
// compression included, the space of deleted rows not), `MEMORY USAGE` of
// the keys under a prefix on Redis, the encoded values on memory.
import type { PGlite } from "@electric-sql/pglite";
import type { MemoryStorage } from "@savepoint/memory";
import type { Redis } from "ioredis";
import type postgres from "postgres";

const tablesOf = (schema: string) =>
  `select table_name as name from information_schema.tables where table_schema = '${schema}'`;
const bytesOf = (schema: string, table: string) =>
  `select coalesce(sum(pg_column_size(t.*)), 0)::bigint as bytes from "${schema}"."${table}" t`;

/** Bytes of every row of `schema` on a Postgres server. */
export async function schemaBytes(sql: postgres.Sql, schema: string): Promise<number> {
  let bytes = 0;
  for (const { name } of await sql.unsafe<{ name: string }[]>(tablesOf(schema))) {
    const [row] = await sql.unsafe(bytesOf(schema, name));
    bytes += Number(row?.bytes ?? 0);
  }
  return bytes;
}

/** Bytes of every row of `schema` in a PGlite database. */
export async function pgliteSchemaBytes(pg: PGlite, schema: string): Promise<number> {
  let bytes = 0;
  for (const { name } of (await pg.query<{ name: string }>(tablesOf(schema))).rows) {
    const r = await pg.query<{ bytes: string }>(bytesOf(schema, name));
    bytes += Number(r.rows[0]?.bytes ?? 0);
  }
  return bytes;
}

/** `MEMORY USAGE` of every key under `prefix` (SCAN, never KEYS). */
export async function redisPrefixBytes(redis: Redis, prefix: string): Promise<number> {
  let bytes = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    for (const key of keys) bytes += Number((await redis.memory("USAGE", key, "SAMPLES", 0)) ?? 0);
  } while (cursor !== "0");
  return bytes;
}

/**
 * The encoded checkpoints, metadata, writes and channel values of every
 * thread in memory. MemorySaver keeps each value as its JSON text (or, under
 * another serializer, a [type, data] pair): the text or the data is what it
 * stores; a list stored as tails counts each tail's text.
 */
export function memoryBytes(threads: MemoryStorage["threads"]): number {
  type Stored = string | [string, string | Uint8Array] | { tail: string };
  const size = (stored: Stored | null | undefined): number => {
    if (!stored) return 0;
    // A list tail (saver-kit/list-chains.ts): its text, and the base it names.
    if (!Array.isArray(stored) && typeof stored === "object") return Buffer.byteLength(stored.tail);
    const data = typeof stored === "string" ? stored : stored[1];
    return typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
  };
  let bytes = 0;
  for (const namespaces of threads.values()) {
    for (const space of namespaces.values()) {
      for (const c of space.checkpoints.values())
        bytes += size(c.checkpoint as Stored) + size(c.metadata as Stored);
      for (const writes of space.writes.values())
        for (const w of writes.values()) bytes += size(w.value as Stored);
      for (const blob of space.blobs.values()) bytes += size(blob as Stored | null);
    }
  }
  return bytes;
}
