// The SQL of thread records (the `threads` capability), apart from the
// checkpoint statements it rides along with. A record changes inside the
// statement of the checkpoint or writes it accompanies, so it commits with
// them or not at all; statements.ts splices these fragments into its own.
//
// A record update carries RECORD_PARAMS parameters, placed after the
// statement's own and numbered from `first` (see `recordParams` in
// thread-records.ts): entrypoint key, entrypoint, status, interrupts type,
// interrupts text, metadata jsonb text (or null), lease owner, lease ms.
import type { SaverThreadQuery, ThreadStatus } from "@savepoint/core";
import type { BoundQuery } from "./sql.js";

/** How many parameters a record update adds to its statement. */
export const RECORD_PARAMS = 8;

/**
 * Milliseconds on the database's clock: every saver of one database leases,
 * records idle clocks and compares on the same clock, whatever its machine's says.
 */
export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

const args = (first: number) => {
  const p = (i: number) => `$${first + i}`;
  return {
    entrypointKey: `${p(0)}::bytea`,
    entrypoint: `${p(1)}::text`,
    status: `${p(2)}::text`,
    interruptsType: `${p(3)}::text`,
    interrupts: `${p(4)}::text`,
    metadata: `coalesce(${p(5)}::text::jsonb, '{}'::jsonb)`,
    owner: `${p(6)}::text`,
    leaseMs: `${p(7)}::bigint`,
  };
};

/**
 * The record upsert of a `put`, as a CTE that runs only when the checkpoint
 * CTE `stored` stored a row (a refused conditional put changes nothing).
 * Uses the put's `$1` thread key, `$3` checkpoint id and `$4` thread id.
 *
 * @example
 * ```ts
 * const cte = recordOnPut('"savepoint"', 12); // "rec AS (INSERT INTO ...)"
 * ```
 */
export function recordOnPut(s: string, first: number): string {
  const a = args(first);
  return `rec AS (
  INSERT INTO ${s}.threads AS t (thread_key, thread_id, entrypoint_key, entrypoint, status, interrupts_type,
    interrupts, metadata, created_at, updated_at, checkpoint_id, owner, lease_until)
  SELECT $1::bytea, $4::text, ${a.entrypointKey}, ${a.entrypoint}, ${a.status}, ${a.interruptsType},
    ${a.interrupts}, ${a.metadata}, clock.ms, clock.ms, $3::text, ${a.owner}, clock.ms + ${a.leaseMs}
  FROM (SELECT ${NOW_MS} AS ms) AS clock
  WHERE EXISTS (SELECT 1 FROM stored)
  ON CONFLICT (thread_key) DO UPDATE SET
    entrypoint_key = excluded.entrypoint_key, entrypoint = excluded.entrypoint, status = excluded.status,
    interrupts_type = excluded.interrupts_type, interrupts = excluded.interrupts,
    metadata = t.metadata || excluded.metadata,
    -- never backwards, so a thread only moves up a listing
    updated_at = greatest(excluded.updated_at, t.updated_at),
    checkpoint_id = excluded.checkpoint_id, owner = excluded.owner, lease_until = excluded.lease_until)`;
}

/**
 * The record update of a `putWrites` (or of a lease renewal, which writes
 * nothing else): only while the record still names checkpoint `checkpointId`,
 * so a run that is no longer the thread's latest cannot change its status.
 *
 * @example
 * ```ts
 * const update = recordOnWrites('"savepoint"', 11, "$1", "$3");
 * ```
 */
export function recordOnWrites(
  s: string,
  first: number,
  threadKey: string,
  checkpointId: string,
): string {
  const a = args(first);
  return `UPDATE ${s}.threads AS t SET
  entrypoint_key = ${a.entrypointKey}, entrypoint = ${a.entrypoint}, status = ${a.status},
  interrupts_type = ${a.interruptsType}, interrupts = ${a.interrupts},
  metadata = t.metadata || ${a.metadata},
  updated_at = greatest(clock.ms, t.updated_at), owner = ${a.owner}, lease_until = clock.ms + ${a.leaseMs}
FROM (SELECT ${NOW_MS} AS ms) AS clock
WHERE t.thread_key = ${threadKey}::bytea AND t.checkpoint_id = ${checkpointId}::text`;
}

/** What a listing query needs beyond `SaverThreadQuery`: ids with their keys, filters encoded. */
export interface ThreadScope {
  query: SaverThreadQuery;
  entrypointKey: Buffer;
  threadKey: Buffer | undefined;
  /** The digest of `query.after.threadId`: where ties continue. */
  afterKey: Buffer | undefined;
  /** Each metadata key with its value as jsonb text, encoded as metadata is stored. */
  metadata: [key: string, value: string][] | undefined;
}

// The stored statuses, spelled here: only these literals enter the SQL text.
const STORED: Record<string, string> = {
  interrupted: "'interrupted'",
  failed: "'failed'",
  done: "'done'",
};
const LIVE = `(t.lease_until IS NULL OR t.lease_until >= clock.ms)`;

// A status list as one condition: "running" and "stalled" are the stored
// "running" split by whether the lease has ended.
function statusCondition(statuses: ThreadStatus[]): string {
  const fixed = statuses.flatMap((x) => STORED[x] ?? []);
  const running = statuses.includes("running");
  const stalled = statuses.includes("stalled");
  const parts: string[] = [];
  // One literal compares with `=`, which the planner matches to the index.
  if (fixed.length === 1) parts.push(`t.status = ${fixed[0]}`);
  else if (fixed.length > 1) parts.push(`t.status IN (${fixed.join(", ")})`);
  if (running && stalled) parts.push(`t.status = 'running'`);
  else if (running) parts.push(`(t.status = 'running' AND ${LIVE})`);
  else if (stalled) parts.push(`(t.status = 'running' AND NOT ${LIVE})`);
  if (parts.length === 0) return "FALSE";
  return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
}

/**
 * One page of `listThreads`: newest update first, ties by the thread id's
 * digest descending (the indexes' order), strictly after `query.after`. Times come back as
 * float8 so both drivers return plain numbers.
 *
 * @example
 * ```ts
 * const { text, params } = listThreadsPage('"savepoint"', { query, entrypointKey, threadKey: undefined, metadata: undefined });
 * ```
 */
export function listThreadsPage(s: string, scope: ThreadScope): BoundQuery {
  const { query } = scope;
  const params: unknown[] = [];
  const bind = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const where = [
    `t.entrypoint_key = ${bind(scope.entrypointKey, "bytea")}`,
    `t.entrypoint = ${bind(query.entrypoint, "text")}`,
  ];
  if (scope.threadKey && query.threadId !== undefined) {
    where.push(`t.thread_key = ${bind(scope.threadKey, "bytea")}`);
    where.push(`t.thread_id = ${bind(query.threadId, "text")}`);
  }
  if (query.status) where.push(statusCondition(query.status));
  // Per-key jsonb equality is exact: each key present, with exactly this value.
  for (const [key, value] of scope.metadata ?? []) {
    where.push(`t.metadata -> ${bind(key, "text")} = ${bind(value, "text")}::jsonb`);
  }
  // Whole milliseconds, so the bounds compare as bigint and keep to the index.
  if (query.updatedBefore !== undefined)
    where.push(`t.updated_at < ${bind(Math.ceil(query.updatedBefore), "bigint")}`);
  if (query.updatedAfter !== undefined)
    where.push(`t.updated_at > ${bind(Math.floor(query.updatedAfter), "bigint")}`);
  if (query.after) {
    // The row comparison is the index's own order: the scan starts where
    // the last page ended, and ties within one millisecond continue exactly.
    const last = bind(Math.ceil(query.after.updatedAt), "bigint");
    where.push(`(t.updated_at, t.thread_key) < (${last}, ${bind(scope.afterKey, "bytea")})`);
  }
  const text = `SELECT t.thread_id, t.entrypoint,
  CASE WHEN t.status = 'running' AND NOT ${LIVE} THEN 'stalled' ELSE t.status END AS status,
  t.interrupts_type, t.interrupts, t.metadata::text AS metadata, t.created_at::float8 AS created_at,
  t.updated_at::float8 AS updated_at, t.checkpoint_id, t.lease_until::float8 AS lease_until
FROM ${s}.threads t CROSS JOIN (SELECT ${NOW_MS} AS ms) AS clock
WHERE ${where.join(" AND ")}
ORDER BY t.updated_at DESC, t.thread_key DESC
LIMIT ${bind(query.limit, "int")}`;
  return { text, params };
}
