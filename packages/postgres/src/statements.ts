/**
 * The saver's SQL, built once per schema. Every value is a bound parameter;
 * only the (validated, quoted) schema name is spliced into the text.
 *
 * Parameter order shared by the statements:
 * `$1` thread key, `$2` namespace key, `$3` checkpoint id.
 *
 * @example
 * ```ts
 * const q = statements('"savepoint"');
 * await db.query(q.latestTuple, [threadKey, nsKey]);
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

  const tupleColumns = (c: string) =>
    `${c}.thread_id, ${c}.checkpoint_ns, ${c}.checkpoint_id, ${c}.parent_checkpoint_id, ` +
    `${c}.type, ${c}.checkpoint, ${c}.metadata::text AS metadata, ${writesOf(c)}`;

  // $1 thread key, $2 ns key, $3 checkpoint id, $4 thread id, $5 ns,
  // $6 parent id, $7 type, $8 checkpoint text, $9 metadata json.
  const insertCheckpoint = (head: string) => `
WITH head AS (${head})
INSERT INTO ${s}.checkpoints AS c
  (thread_key, ns_key, checkpoint_id, thread_id, checkpoint_ns, parent_checkpoint_id, type, checkpoint, metadata)
SELECT $1::bytea, $2::bytea, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text::jsonb FROM head
ON CONFLICT (thread_key, ns_key, checkpoint_id) DO UPDATE SET
  parent_checkpoint_id = excluded.parent_checkpoint_id, type = excluded.type,
  checkpoint = excluded.checkpoint, metadata = excluded.metadata
RETURNING 1 AS stored`;

  return {
    tupleColumns,

    /** $1 thread key, $2 ns key, $3 checkpoint id, $4 thread id, $5 ns. */
    tupleById: `SELECT ${tupleColumns("c")} FROM ${s}.checkpoints c
WHERE c.thread_key = $1::bytea AND c.ns_key = $2::bytea AND c.checkpoint_id = $3::text
  AND c.thread_id = $4::text AND c.checkpoint_ns = $5::text`,

    /** $1 thread key, $2 ns key, $3 thread id, $4 ns. */
    latestTuple: `SELECT ${tupleColumns("c")} FROM ${s}.checkpoints c
WHERE c.thread_key = $1::bytea AND c.ns_key = $2::bytea AND c.thread_id = $3::text AND c.checkpoint_ns = $4::text
ORDER BY c.checkpoint_id DESC LIMIT 1`,

    /** Unconditional: the head only moves forward. */
    put: insertCheckpoint(`
  INSERT INTO ${s}.heads AS h (thread_key, ns_key, checkpoint_id) VALUES ($1::bytea, $2::bytea, $3::text)
  ON CONFLICT (thread_key, ns_key) DO UPDATE SET checkpoint_id = greatest(h.checkpoint_id, excluded.checkpoint_id)
  RETURNING 1`),

    /**
     * Only when the thread has no head. A concurrent insert of the same head
     * row makes this one wait and then find the conflict.
     */
    putIfNoHead: insertCheckpoint(`
  INSERT INTO ${s}.heads (thread_key, ns_key, checkpoint_id) VALUES ($1::bytea, $2::bytea, $3::text)
  ON CONFLICT (thread_key, ns_key) DO NOTHING
  RETURNING 1`),

    /**
     * Only when the head is `$10`. UPDATE locks the head row and re-checks
     * its condition against the newest committed version, so of many racing
     * puts exactly one matches.
     */
    putIfHead: insertCheckpoint(`
  UPDATE ${s}.heads SET checkpoint_id = greatest(checkpoint_id, $3::text)
  WHERE thread_key = $1::bytea AND ns_key = $2::bytea AND checkpoint_id = $10::text
  RETURNING 1`),

    /** $1 thread key, $2 ns key. */
    head: `SELECT checkpoint_id FROM ${s}.heads WHERE thread_key = $1::bytea AND ns_key = $2::bytea`,

    // $1 thread key, $2 ns key, $3 checkpoint id, $4 task key, $5 idx,
    // $6 task id, $7 task path, $8 channel, $9 type, $10 value.
    writeKeep: `INSERT INTO ${s}.writes
  (thread_key, ns_key, checkpoint_id, task_key, idx, task_id, task_path, channel, type, value)
VALUES ($1::bytea, $2::bytea, $3::text, $4::bytea, $5::int, $6::text, $7::text, $8::text, $9::text, $10::text)
ON CONFLICT (thread_key, ns_key, checkpoint_id, task_key, idx) DO NOTHING`,

    writeReplace: `INSERT INTO ${s}.writes
  (thread_key, ns_key, checkpoint_id, task_key, idx, task_id, task_path, channel, type, value)
VALUES ($1::bytea, $2::bytea, $3::text, $4::bytea, $5::int, $6::text, $7::text, $8::text, $9::text, $10::text)
ON CONFLICT (thread_key, ns_key, checkpoint_id, task_key, idx) DO UPDATE SET
  task_path = excluded.task_path, channel = excluded.channel, type = excluded.type, value = excluded.value`,

    /**
     * Many writes in one statement: the rows travel as one json parameter
     * (`[[idx, channel, type, value], ...]`), so no count of writes reaches
     * the 65,535 bind-parameter limit. Negative indexes (special channels)
     * replace; the rest keep what is there.
     * $1 thread key, $2 ns key, $3 checkpoint id, $4 task key, $5 task id,
     * $6 task path, $7 rows.
     */
    writeMany: `INSERT INTO ${s}.writes
  (thread_key, ns_key, checkpoint_id, task_key, idx, task_id, task_path, channel, type, value)
SELECT $1::bytea, $2::bytea, $3::text, $4::bytea, (r->>0)::int, $5::text, $6::text, r->>1, r->>2, r->>3
FROM json_array_elements($7::text::json) AS r
ON CONFLICT (thread_key, ns_key, checkpoint_id, task_key, idx) DO UPDATE SET
  task_path = excluded.task_path, channel = excluded.channel, type = excluded.type, value = excluded.value
WHERE excluded.idx < 0`,

    /** Every row of one thread, in every namespace, in one statement. $1 thread key. */
    deleteThread: `WITH w AS (DELETE FROM ${s}.writes WHERE thread_key = $1::bytea),
h AS (DELETE FROM ${s}.heads WHERE thread_key = $1::bytea)
DELETE FROM ${s}.checkpoints WHERE thread_key = $1::bytea`,
  };
}

/** The statements of one schema. */
export type Statements = ReturnType<typeof statements>;
