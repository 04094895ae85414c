import { retentionStatements } from "./retention-statements.js";
import type { BoundQuery } from "./sql.js";
import {
  listThreadsPage,
  NOW_MS,
  recordOnPut,
  recordOnWrites,
  type ThreadScope,
} from "./thread-statements.js";
import { touchClock, writeStatements } from "./write-statements.js";

/**
 * All of the saver's SQL, built once per schema. Every value is a bound
 * parameter; only the (validated, quoted) schema name is spliced into the text.
 *
 * Each statement lists its parameters; those on one checkpoint start with
 * `$1` thread key, `$2` namespace key. A `list` page depends on what is
 * listed, so `listPage` builds its text and parameters together.
 *
 * @example
 * ```ts
 * const q = statements('"savepoint"');
 * await db.query(q.latestTuple, [threadKey, nsKey, threadId, ns]);
 * ```
 */
export function statements(s: string) {
  // The writes of one checkpoint as one json array, ordered as getTuple
  // returns them, so a tuple and its writes are one query.
  const writesOf = (c: string) => `(
    SELECT json_agg(json_build_array(w.task_id, w.channel, w.type, w.value) ORDER BY w.task_path, w.task_id, w.idx)
    FROM ${s}.writes w
    WHERE w.thread_key = ${c}.thread_key AND w.ns_key = ${c}.ns_key AND w.checkpoint_id = ${c}.checkpoint_id
  ) AS writes`;

  // The stored values of the versions the checkpoint lists, as one json
  // array of [channel, type, value, base length] (null for a row with inline
  // values). A list stored as tails (migration 5) brings its chain: the
  // base of each tail, down to the full copy, each channel's links together
  // and newest first. One recursive walk over the primary key, so a read
  // stays one query however long the chain (at most a chain's limit of links).
  // Each step is a LATERAL lookup by the whole key, fenced with LIMIT 1 (the
  // key is unique) so the planner cannot flatten it: without statistics
  // (PGlite has no autovacuum) a plain join was planned as a scan of all the
  // thread's rows per link.
  const valuesOf = (c: string) => `(
    WITH RECURSIVE link AS (
      SELECT v.channel, v.type, v.value, v.base_version, v.base_length, 0 AS depth
      FROM jsonb_each_text(${c}.channel_versions) e
      CROSS JOIN LATERAL (SELECT * FROM ${s}.channel_values x
        WHERE x.thread_key = ${c}.thread_key AND x.ns_key = ${c}.ns_key
          AND x.channel = e.key AND x.version = e.value LIMIT 1) v
      UNION ALL
      SELECT b.channel, b.type, b.value, b.base_version, b.base_length, link.depth + 1
      FROM link CROSS JOIN LATERAL (SELECT * FROM ${s}.channel_values x
        WHERE x.thread_key = ${c}.thread_key AND x.ns_key = ${c}.ns_key
          AND x.channel = link.channel AND x.version = link.base_version LIMIT 1) b
      WHERE link.depth < 100000)
    SELECT json_agg(json_build_array(link.channel, link.type, link.value, link.base_length) ORDER BY link.channel, link.depth)
    FROM link
  ) AS channel_values`;

  const tupleColumns = (c: string) =>
    `${c}.thread_id, ${c}.checkpoint_ns, ${c}.checkpoint_id, ${c}.parent_checkpoint_id, ` +
    `${c}.type, ${c}.checkpoint, ${c}.metadata::text AS metadata, ${writesOf(c)}, ` +
    `${c}.channel_versions IS NOT NULL AS split, ${valuesOf(c)}`;

  // $1 thread key, $2 ns key, $3 checkpoint id, $4 thread id, $5 ns,
  // $6 parent id, $7 type, $8 checkpoint text (without channel_values), $9
  // metadata json, $10 channel_versions json, $11 the channel values of
  // newVersions (`[[channel, version, type, value, base, base length], ...]`). `ctes` decide the
  // head; the checkpoint and its values are stored only if `from` has a row,
  // and the first value stored for a (channel, version) wins. With `record`,
  // the thread's record is upserted too (its parameters from that number on).
  const insertCheckpoint = (ctes: string, from: string, record?: number) => `
WITH ${ctes},
stored AS (
  INSERT INTO ${s}.checkpoints AS c
    (thread_key, ns_key, checkpoint_id, thread_id, checkpoint_ns, parent_checkpoint_id, type, checkpoint, metadata, channel_versions)
  SELECT $1::bytea, $2::bytea, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text::jsonb, $10::text::jsonb FROM ${from}
  ON CONFLICT (thread_key, ns_key, checkpoint_id) DO UPDATE SET
    parent_checkpoint_id = excluded.parent_checkpoint_id, type = excluded.type,
    checkpoint = excluded.checkpoint, metadata = excluded.metadata, channel_versions = excluded.channel_versions
  RETURNING 1 AS stored),
vals AS (
  INSERT INTO ${s}.channel_values (thread_key, ns_key, channel, version, type, value, base_version, base_length)
  SELECT $1::bytea, $2::bytea, b->>0, b->>1, b->>2, b->>3, b->>4, (b->>5)::int
  FROM json_array_elements($11::text::json) AS b
  WHERE EXISTS (SELECT 1 FROM stored)
  ON CONFLICT (thread_key, ns_key, channel, version) DO NOTHING
  RETURNING 1)${record ? `,\n${recordOnPut(s, record)}` : ""}
SELECT stored, (SELECT count(*) FROM vals)::int AS values_stored FROM stored`;

  const sameThread = (t: string) => `${t}.thread_key = $1::bytea AND ${t}.ns_key = $2::bytea`;
  // The latest stored checkpoint: what the head is when its row is missing.
  const latestId = `(SELECT max(l.checkpoint_id) FROM ${s}.checkpoints l WHERE ${sameThread("l")})`;

  // The three puts; `withRecord` adds the thread record's upsert, its
  // parameters after the put's own (see thread-statements.ts).
  const puts = (withRecord: boolean) => ({
    /**
     * Unconditional: the head only moves forward. A missing head row is
     * made again from the latest stored checkpoint, so the head stays the
     * newest id of the thread.
     */
    put: insertCheckpoint(
      `head AS (
  INSERT INTO ${s}.heads AS h (thread_key, ns_key, checkpoint_id)
  VALUES ($1::bytea, $2::bytea, greatest($3::text, ${latestId}))
  ON CONFLICT (thread_key, ns_key) DO UPDATE SET checkpoint_id = greatest(h.checkpoint_id, excluded.checkpoint_id),
    last_write_at = ${NOW_MS}
  RETURNING 1)`,
      "head",
      withRecord ? 12 : undefined,
    ),

    /**
     * Only when the thread has nothing: no head and no checkpoint (a thread
     * whose head row was deleted still has its checkpoints, so it is not
     * empty). A concurrent insert of the same head row makes this one wait
     * and then find the conflict.
     */
    putIfNoHead: insertCheckpoint(
      `head AS (
  INSERT INTO ${s}.heads (thread_key, ns_key, checkpoint_id)
  SELECT $1::bytea, $2::bytea, $3::text
  WHERE NOT EXISTS (SELECT 1 FROM ${s}.checkpoints l WHERE ${sameThread("l")})
  ON CONFLICT (thread_key, ns_key) DO NOTHING
  RETURNING 1)`,
      "head",
      withRecord ? 12 : undefined,
    ),

    /**
     * Only when the head is `$12`. UPDATE locks the head row and re-checks
     * its condition against the newest committed version, so of many racing
     * puts exactly one matches. When the head row is missing (deleted by
     * hand), the latest stored checkpoint is the head: the row is inserted
     * again in this same statement, and the unique key lets exactly one of
     * racing puts insert it.
     */
    putIfHead: insertCheckpoint(
      `moved AS (
  UPDATE ${s}.heads h SET checkpoint_id = greatest(h.checkpoint_id, $3::text), last_write_at = ${NOW_MS}
  WHERE ${sameThread("h")} AND h.checkpoint_id = $12::text
  RETURNING 1),
healed AS (
  INSERT INTO ${s}.heads (thread_key, ns_key, checkpoint_id)
  SELECT $1::bytea, $2::bytea, greatest($3::text COLLATE "C", $12::text COLLATE "C")
  WHERE NOT EXISTS (SELECT 1 FROM ${s}.heads h WHERE ${sameThread("h")})
    AND $12::text = ${latestId}
  ON CONFLICT (thread_key, ns_key) DO NOTHING
  RETURNING 1)`,
      "(SELECT 1 FROM moved UNION ALL SELECT 1 FROM healed) AS head",
      withRecord ? 13 : undefined,
    ),
  });

  const touch = touchClock(s);

  /** $1 thread key, $2 ns key, $3 checkpoint id, $4 thread id, $5 ns. */
  const tupleById = `SELECT ${tupleColumns("c")} FROM ${s}.checkpoints c
WHERE c.thread_key = $1::bytea AND c.ns_key = $2::bytea AND c.checkpoint_id = $3::text
  AND c.thread_id = $4::text AND c.checkpoint_ns = $5::text`;

  /** $1 thread key, $2 ns key, $3 thread id, $4 ns. */
  const latestTuple = `SELECT ${tupleColumns("c")} FROM ${s}.checkpoints c
WHERE c.thread_key = $1::bytea AND c.ns_key = $2::bytea AND c.thread_id = $3::text AND c.checkpoint_ns = $4::text
ORDER BY c.checkpoint_id DESC LIMIT 1`;

  return {
    tupleById,
    latestTuple,

    /**
     * The same reads, refreshing the namespace's idle clock in their one
     * statement (a ttl with `refreshOnRead`).
     */
    touching: {
      tupleById: `WITH ${touch}\n${tupleById}`,
      latestTuple: `WITH ${touch}\n${latestTuple}`,
    },

    ...puts(false),

    /**
     * The head as a refused conditional put reports it, in one snapshot:
     * the head row's id (null without one), whether that checkpoint is
     * stored, and the latest stored id. $1 thread key, $2 ns key.
     */
    head: `SELECT h.checkpoint_id AS head, ${latestId} AS latest,
  EXISTS (SELECT 1 FROM ${s}.checkpoints p WHERE ${sameThread("p")} AND p.checkpoint_id = h.checkpoint_id) AS present
FROM (SELECT 1) AS one LEFT JOIN ${s}.heads h ON ${sameThread("h")}`,

    /**
     * Points a head row whose checkpoint is gone at the latest stored one
     * (or removes it when none is left); only while it still names `$3`,
     * the missing id. $1 thread key, $2 ns key.
     */
    repairHead: `WITH moved AS (
  UPDATE ${s}.heads h SET checkpoint_id = ${latestId}
  WHERE ${sameThread("h")} AND h.checkpoint_id = $3::text AND ${latestId} IS NOT NULL
  RETURNING 1)
DELETE FROM ${s}.heads h WHERE ${sameThread("h")} AND h.checkpoint_id = $3::text AND ${latestId} IS NULL`,

    ...writeStatements(s, false, false),

    /** The same writes without the idle clock's refresh: this saver set it moments ago. */
    fresh: writeStatements(s, false, true),

    /** Whether any checkpoint keeps its channel values inline (written before migration 2). */
    inlineRows: `SELECT EXISTS (SELECT 1 FROM ${s}.checkpoints WHERE channel_versions IS NULL) AS inline`,

    /** Fresh planner statistics for the thread records (see the saver's `recordsAdded`). */
    analyzeThreads: `ANALYZE ${s}.threads`,

    /** Every row of one thread, in every namespace, in one statement. $1 thread key. */
    deleteThread: `WITH w AS (DELETE FROM ${s}.writes WHERE thread_key = $1::bytea),
v AS (DELETE FROM ${s}.channel_values WHERE thread_key = $1::bytea),
h AS (DELETE FROM ${s}.heads WHERE thread_key = $1::bytea),
r AS (DELETE FROM ${s}.threads WHERE thread_key = $1::bytea)
DELETE FROM ${s}.checkpoints WHERE thread_key = $1::bytea`,

    /**
     * The same puts and writes, each also changing the thread's record in
     * its one statement (the `threads` capability; root namespace only).
     * `renew` changes only the record (a `putWrites` without writes): $1
     * thread key, $2 checkpoint id. The record's parameters follow. A
     * renewal writes nothing, so it leaves the idle clock alone (its live
     * lease keeps the thread from expiring meanwhile).
     */
    withRecord: {
      ...puts(true),
      ...writeStatements(s, true, false),
      fresh: writeStatements(s, true, true),
      renew: recordOnWrites(s, 3, "$1", "$2"),
    },

    /** Prune, copy and sweep (see retention-statements.ts). */
    retention: retentionStatements(s),

    /** One page of `listThreads` (see thread-statements.ts). */
    listThreads: (scope: ThreadScope): BoundQuery => listThreadsPage(s, scope),

    /**
     * One page of `list`, newest first: the text and its parameters. Ties on
     * checkpoint id (the same id in two threads or namespaces) are broken by
     * thread and namespace, so that pages never skip or repeat.
     */
    listPage(scope: ListScope, after: ListCursor | undefined, limit: number): BoundQuery {
      const params: unknown[] = [];
      const bind = (value: unknown, cast: string) => {
        params.push(value);
        return `$${params.length}::${cast}`;
      };
      const where: string[] = [];
      if (scope.thread) {
        where.push(`c.thread_key = ${bind(scope.thread.key, "bytea")}`);
        where.push(`c.thread_id = ${bind(scope.thread.id, "text")}`);
      }
      if (scope.ns) {
        where.push(`c.ns_key = ${bind(scope.ns.key, "bytea")}`);
        where.push(`c.checkpoint_ns = ${bind(scope.ns.name, "text")}`);
      }
      if (scope.only !== undefined) where.push(`c.checkpoint_id = ${bind(scope.only, "text")}`);
      if (scope.before !== undefined) where.push(`c.checkpoint_id < ${bind(scope.before, "text")}`);
      if (scope.filter) {
        // The containment test can use the GIN index; the per-key equality
        // makes it exact (containment alone would accept a superset of an object).
        const [whole, entries] = scope.filter;
        where.push(`c.metadata @> ${bind(whole, "text")}::jsonb`);
        for (const [key, value] of entries) {
          where.push(`c.metadata -> ${bind(key, "text")} = ${bind(value, "text")}::jsonb`);
        }
      }
      if (after) {
        // The plain bound on checkpoint_id lets the index start where the
        // last page ended; the row comparison settles ties exactly.
        const lastId = bind(after.checkpointId, "text");
        where.push(
          `c.checkpoint_id <= ${lastId}`,
          `(c.checkpoint_id, c.thread_id, c.checkpoint_ns) < (${lastId}, ` +
            `${bind(after.threadId, "text")}, ${bind(after.ns, "text")})`,
        );
      }
      const text =
        `SELECT ${tupleColumns("c")} FROM ${s}.checkpoints c` +
        `${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ` +
        `ORDER BY c.checkpoint_id DESC, c.thread_id DESC, c.checkpoint_ns DESC ` +
        `LIMIT ${bind(limit, "int")}`;
      return { text, params };
    },
  };
}

/**
 * Which checkpoints `list` reads: each part given narrows it. Ids come with
 * the keys they are indexed by; the filter is metadata's jsonb encoding (see
 * `ValueCodec.filterToJsonb`).
 *
 * @example
 * ```ts
 * const scope: ListScope = { thread: { key: keyOf("t-1"), id: "t-1" }, before: "1ef..." };
 * ```
 */
export interface ListScope {
  thread?: { key: Buffer; id: string };
  ns?: { key: Buffer; name: string };
  /** Only the checkpoint with this id (a `checkpoint_id` in the config). */
  only?: string;
  /** Only checkpoints with a smaller id. */
  before?: string;
  filter?: [whole: string, entries: [key: string, value: string][]];
}

/**
 * Where the previous page of `list` ended: its last row.
 *
 * @example
 * ```ts
 * const after: ListCursor = { checkpointId: "1ef...", threadId: "t-1", ns: "" };
 * ```
 */
export interface ListCursor {
  checkpointId: string;
  threadId: string;
  ns: string;
}

/** The statements of one schema. */
export type Statements = ReturnType<typeof statements>;
