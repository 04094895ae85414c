// The SQL of retention: prune, copyThread and sweep (retention.ts runs it).
// Built once per schema, like every other statement, so PGlite prepares
// each text once.
//
// Locks, always in this order, so no two of these and no put or write can
// deadlock: a thread's head rows first (every put and task write changes
// its head row before any other row, see statements.ts), then its other
// rows. A sweep also holds a transaction-scoped advisory lock per thread it
// expires, taken with try (never waiting): two sweepers that pick the same
// thread never both expire it, and neither waits for the other.
//
// Lists of thread keys travel as one json array of hex strings and lists of
// checkpoint ids as one json array of strings, as task writes do: one
// parameter whatever the count, and the same on both drivers.
import { nsKeyOf } from "./identifiers.js";
import { NOW_MS } from "./thread-statements.js";

/** The channel of Savepoint's run under way (core's `RUN`). */
export const RUN_CHANNEL = "__run__";
/** The write channel of interrupts (core's `INTERRUPT`). */
export const INTERRUPT_CHANNEL = "__interrupt__";

const ROOT_NS = `'\\x${nsKeyOf("").toString("hex")}'::bytea`;

const keys = (param: string) =>
  `ARRAY(SELECT decode(k, 'hex') FROM json_array_elements_text(${param}::text::json) AS k)`;
const ids = (param: string) =>
  `ARRAY(SELECT i COLLATE "C" FROM json_array_elements_text(${param}::text::json) AS i)`;

/**
 * The statements of retention for the quoted schema `s`.
 *
 * @example
 * ```ts
 * const r = retentionStatements('"savepoint"');
 * await tx.query(r.lockHeads, [keyOf("t-1")]);
 * ```
 */
export function retentionStatements(s: string) {
  // One advisory lock space per schema; a thread's lock is its key's first
  // 32 bits. Two threads that share them only make a sweep skip one for now.
  const threadLock = (key: string) =>
    `hashtext('savepoint.thread:${s}'), ('x' || encode(substring(${key} FROM 1 FOR 4), 'hex'))::bit(32)::int`;

  // $now (ms, or null: the database's clock) and $idle (ms) give the
  // cutoff: a clock older than it is idle. A CTE, evaluated once, so the
  // index on the clocks gets a constant to range over.
  const clock = (now: string, idle: string) =>
    `clock AS MATERIALIZED (SELECT coalesce(${now}::bigint, ${NOW_MS}) - ${idle}::bigint AS cutoff)`;
  const cutoff = `(SELECT cutoff FROM clock)`;

  // The thread `key` may expire: none of its clocks is as new as the cutoff,
  // its root namespace's head does not wait on an interrupt (unless the ttl
  // includes interrupted threads), and no live run holds a lease on it.
  // Leases compare with the database's clock, whatever `now` a sweep is
  // given: a run that holds one is alive now. Each condition is a plain
  // NOT EXISTS (no OR with a parameter), so the planner probes each thread's
  // own rows by index rather than hashing every interrupt of the table.
  const expirable = (key: string, includeInterrupted: boolean) => `NOT EXISTS (
    SELECT 1 FROM ${s}.heads fresh WHERE fresh.thread_key = ${key} AND fresh.last_write_at >= ${cutoff})${
      includeInterrupted
        ? ""
        : `
  AND NOT EXISTS (
    SELECT 1 FROM ${s}.heads r JOIN ${s}.writes w
      ON w.thread_key = r.thread_key AND w.ns_key = r.ns_key AND w.checkpoint_id = r.checkpoint_id
    WHERE r.thread_key = ${key} AND r.ns_key = ${ROOT_NS} AND w.channel = '${INTERRUPT_CHANNEL}')`
    }
  AND NOT EXISTS (SELECT 1 FROM ${s}.threads t WHERE t.thread_key = ${key} AND t.status = 'running'
    AND (t.lease_until IS NULL OR t.lease_until >= ${NOW_MS}))`;

  // The two statements of a sweep that depend on the ttl's includeInterrupted.
  const sweep = (includeInterrupted: boolean) => ({
    /**
     * Up to `$5` threads that may expire, oldest clock first, skipping the
     * keys `$3` (json hex) this sweep has tried, each with whether this
     * transaction got its advisory lock (false: another sweeper has it).
     * `$1` now or null, `$2` idle ms, `$4` how many clocks to read (a
     * thread has one per namespace). No row locks: the sweep re-checks
     * under them (`expired`).
     */
    candidates: `WITH ${clock("$1", "$2")},
picked AS MATERIALIZED (
  SELECT x.thread_key, max(x.last_write_at) AS idle_since FROM (
    SELECT idle.thread_key, idle.last_write_at FROM ${s}.heads idle
    WHERE idle.last_write_at < ${cutoff}
      AND idle.thread_key <> ALL (${keys("$3")})
      AND ${expirable("idle.thread_key", includeInterrupted)}
    ORDER BY idle.last_write_at LIMIT $4::int) AS x
  GROUP BY x.thread_key ORDER BY idle_since LIMIT $5::int)
SELECT encode(p.thread_key, 'hex') AS key, pg_try_advisory_xact_lock(${threadLock("p.thread_key")}) AS locked
FROM picked p ORDER BY p.idle_since`,

    /**
     * Of threads `$1` (json hex keys, their head rows locked), those that
     * still may expire, read after the locks were granted: a write that
     * committed meanwhile keeps its thread. `$2` now or null, `$3` idle ms.
     */
    expired: `WITH ${clock("$2", "$3")}
SELECT encode(k.key, 'hex') AS key FROM unnest(${keys("$1")}) AS k(key)
WHERE EXISTS (SELECT 1 FROM ${s}.heads idle WHERE idle.thread_key = k.key AND idle.last_write_at < ${cutoff})
  AND ${expirable("k.key", includeInterrupted)}`,
  });

  return {
    /** Locks the head rows of thread `$1` (its key) until the transaction ends. */
    lockHeads: `SELECT h.ns_key FROM ${s}.heads h WHERE h.thread_key = $1::bytea ORDER BY h.ns_key FOR UPDATE`,

    /** Every checkpoint of thread `$1` as prune's rule needs it: namespace, id, parent. */
    links: `SELECT c.checkpoint_ns, c.checkpoint_id, c.parent_checkpoint_id
FROM ${s}.checkpoints c WHERE c.thread_key = $1::bytea`,

    /**
     * The newest checkpoint of each namespace of thread `$1`, with what its
     * run under way is: the stored `__run__` value, or the whole checkpoint
     * text of a row that keeps its values inline (written before migration 2).
     */
    newest: `SELECT c.thread_id, c.checkpoint_ns, c.checkpoint_id, c.channel_versions IS NULL AS inline,
  CASE WHEN c.channel_versions IS NULL THEN c.type END AS type,
  CASE WHEN c.channel_versions IS NULL THEN c.checkpoint END AS checkpoint,
  v.type AS run_type, v.value AS run_value
FROM (SELECT l.ns_key, max(l.checkpoint_id) AS id FROM ${s}.checkpoints l WHERE l.thread_key = $1::bytea GROUP BY l.ns_key) n
JOIN ${s}.checkpoints c ON c.thread_key = $1::bytea AND c.ns_key = n.ns_key AND c.checkpoint_id = n.id
LEFT JOIN ${s}.channel_values v ON v.thread_key = $1::bytea AND v.ns_key = n.ns_key
  AND v.channel = '${RUN_CHANNEL}' AND v.version = c.channel_versions ->> '${RUN_CHANNEL}'`,

    /**
     * Removes checkpoints `$3` (json ids) of thread `$1`, namespace `$2`,
     * with their writes, and every channel value of the namespace that no
     * other checkpoint lists (or builds its list from: the bases of a list
     * stored as tails stay). One statement sees one snapshot, so the kept
     * versions are read from the checkpoints not in `$3`.
     */
    pruneNamespace: `WITH RECURSIVE kept (key, value) AS (
  SELECT e.key COLLATE "C", e.value COLLATE "C"
  FROM ${s}.checkpoints c CROSS JOIN LATERAL jsonb_each_text(c.channel_versions) AS e
  WHERE c.thread_key = $1::bytea AND c.ns_key = $2::bytea AND c.channel_versions IS NOT NULL
    AND c.checkpoint_id <> ALL (${ids("$3")})
  UNION
  -- a list stored as tails needs every base down to its full copy
  SELECT b.channel, b.base_version
  FROM kept k JOIN ${s}.channel_values b ON b.thread_key = $1::bytea AND b.ns_key = $2::bytea
    AND b.channel = k.key AND b.version = k.value
  WHERE b.base_version IS NOT NULL),
gone AS (
  DELETE FROM ${s}.checkpoints c
  WHERE c.thread_key = $1::bytea AND c.ns_key = $2::bytea AND c.checkpoint_id = ANY (${ids("$3")})
  RETURNING 1),
w AS (
  DELETE FROM ${s}.writes w
  WHERE w.thread_key = $1::bytea AND w.ns_key = $2::bytea AND w.checkpoint_id = ANY (${ids("$3")})),
v AS (
  DELETE FROM ${s}.channel_values v
  WHERE v.thread_key = $1::bytea AND v.ns_key = $2::bytea
    AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.key = v.channel AND k.value = v.version))
SELECT count(*)::int AS removed FROM gone`,

    /** Waits for, then holds, the advisory lock of thread `$1` (a copy's target). */
    lockThread: `SELECT count(*)::int AS locked FROM (SELECT pg_advisory_xact_lock(${threadLock("$1::bytea")})) AS l`,

    /** Whether thread `$1` has checkpoints, and whether thread `$2` has checkpoints or a record. */
    copyState: `SELECT EXISTS (SELECT 1 FROM ${s}.checkpoints WHERE thread_key = $1::bytea) AS source,
  (EXISTS (SELECT 1 FROM ${s}.checkpoints WHERE thread_key = $2::bytea)
    OR EXISTS (SELECT 1 FROM ${s}.threads WHERE thread_key = $2::bytea)) AS taken`,

    /**
     * Copies thread `$1` (key) to the new thread `$2` (key) `$3` (id): every
     * checkpoint with the same ids, writes, channel values, head rows (their
     * clocks start now) and the record (created and updated now; a running
     * record keeps no live lease, so it lists as stalled). One statement:
     * one snapshot of the source.
     */
    copy: `WITH cp AS (
  INSERT INTO ${s}.checkpoints (thread_key, ns_key, checkpoint_id, thread_id, checkpoint_ns, parent_checkpoint_id,
    type, checkpoint, metadata, created_at, channel_versions)
  SELECT $2::bytea, c.ns_key, c.checkpoint_id, $3::text, c.checkpoint_ns, c.parent_checkpoint_id,
    c.type, c.checkpoint, c.metadata, c.created_at, c.channel_versions
  FROM ${s}.checkpoints c WHERE c.thread_key = $1::bytea
  RETURNING 1),
w AS (
  INSERT INTO ${s}.writes (thread_key, ns_key, checkpoint_id, task_key, idx, task_id, task_path, channel, type, value)
  SELECT $2::bytea, w.ns_key, w.checkpoint_id, w.task_key, w.idx, w.task_id, w.task_path, w.channel, w.type, w.value
  FROM ${s}.writes w WHERE w.thread_key = $1::bytea),
v AS (
  INSERT INTO ${s}.channel_values (thread_key, ns_key, channel, version, type, value, base_version, base_length)
  SELECT $2::bytea, v.ns_key, v.channel, v.version, v.type, v.value, v.base_version, v.base_length
  FROM ${s}.channel_values v WHERE v.thread_key = $1::bytea),
h AS (
  INSERT INTO ${s}.heads (thread_key, ns_key, checkpoint_id)
  SELECT $2::bytea, h.ns_key, h.checkpoint_id FROM ${s}.heads h WHERE h.thread_key = $1::bytea),
r AS (
  INSERT INTO ${s}.threads (thread_key, thread_id, entrypoint_key, entrypoint, status, interrupts_type,
    interrupts, metadata, created_at, updated_at, checkpoint_id, owner, lease_until)
  SELECT $2::bytea, $3::text, t.entrypoint_key, t.entrypoint, t.status, t.interrupts_type,
    t.interrupts, t.metadata, clock.ms, clock.ms, t.checkpoint_id, NULL,
    CASE WHEN t.status = 'running' THEN clock.ms - 1 END
  FROM ${s}.threads t CROSS JOIN (SELECT ${NOW_MS} AS ms) AS clock
  WHERE t.thread_key = $1::bytea)
SELECT count(*)::int AS copied FROM cp`,

    /** Locks the head rows of threads `$1` (json hex keys) until the transaction ends. */
    lockThreads: `SELECT h.ns_key FROM ${s}.heads h WHERE h.thread_key = ANY (${keys("$1")})
ORDER BY h.thread_key, h.ns_key FOR UPDATE`,

    /** A sweep's candidates and re-check, for a ttl without and with `includeInterrupted`. */
    sweep: { excludingInterrupted: sweep(false), includingInterrupted: sweep(true) },

    /** Every row of threads `$1` (json hex keys), as `deleteThread` removes one. */
    deleteThreads: `WITH w AS (DELETE FROM ${s}.writes WHERE thread_key = ANY (${keys("$1")})),
v AS (DELETE FROM ${s}.channel_values WHERE thread_key = ANY (${keys("$1")})),
h AS (DELETE FROM ${s}.heads WHERE thread_key = ANY (${keys("$1")})),
r AS (DELETE FROM ${s}.threads WHERE thread_key = ANY (${keys("$1")}))
DELETE FROM ${s}.checkpoints WHERE thread_key = ANY (${keys("$1")})`,

    /**
     * Clears the clocks of threads `$1` (json hex keys) pruned on expiry:
     * they are idle again from their next write, not pruned again before.
     */
    clearClocks: `UPDATE ${s}.heads SET last_write_at = NULL WHERE thread_key = ANY (${keys("$1")})`,
  };
}

/** The retention statements of one schema. */
export type RetentionStatements = ReturnType<typeof retentionStatements>;
