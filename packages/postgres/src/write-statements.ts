// The SQL of `putWrites`: a task's writes, with the idle clock's refresh
// (unless the saver set the clock within the grain, idle-clocks.ts) and
// the thread record's update when the call carries one. statements.ts
// gathers these with the rest of the saver's SQL.
import { CLOCK_GRAIN_MS } from "./idle-clocks.js";
import { NOW_MS, recordOnWrites } from "./thread-statements.js";

/**
 * The CTE `touched`: refreshes the idle clock of (`$1` thread key, `$2` ns
 * key) when it is older than CLOCK_GRAIN_MS (or cleared by an expiry),
 * returning a row per clock it set. Reads with `refreshOnRead` carry it too.
 *
 * @example
 * ```ts
 * const read = `WITH ${touchClock('"savepoint"')}\nSELECT 1`;
 * ```
 */
export function touchClock(s: string): string {
  return `touched AS (
  UPDATE ${s}.heads h SET last_write_at = ${NOW_MS}
  WHERE h.thread_key = $1::bytea AND h.ns_key = $2::bytea
    AND (h.last_write_at IS NULL OR h.last_write_at < ${NOW_MS} - ${CLOCK_GRAIN_MS})
  RETURNING 1)`;
}

/**
 * The write statements, with the record's update (`withRecord`: its
 * parameters after the statement's own) or without, and with the clock's
 * refresh or without it (`fresh`).
 *
 * The insert reads from `touched`, so a head row the refresh changes is
 * locked before any write row, the order a sweep or a prune locks them in:
 * the two cannot deadlock. A write without the refresh locks no head row.
 * With the refresh, the statement returns `touched`, how many clocks it set,
 * so the saver knows whether to skip the next ones.
 *
 * @example
 * ```ts
 * const { writeKeep } = writeStatements('"savepoint"', false, false);
 * ```
 */
export function writeStatements(s: string, withRecord: boolean, fresh: boolean) {
  // `record` numbers the record's first parameter; $1 is the thread key, $3 the checkpoint id.
  const statement = (insert: (from: string) => string, record: number) => {
    const rec = withRecord ? [`rec AS (${recordOnWrites(s, record, "$1", "$3")})`] : [];
    if (fresh) return (rec.length > 0 ? `WITH ${rec[0]}\n` : "") + insert("(SELECT 1) AS one");
    const stored = `stored AS (${insert("(SELECT count(*) FROM touched) AS touch")})`;
    return `WITH ${[touchClock(s), ...rec, stored].join(",\n")}\nSELECT count(*)::int AS touched FROM touched`;
  };
  const columns = `(thread_key, ns_key, checkpoint_id, task_key, idx, task_id, task_path, channel, type, value)`;
  const replace = `task_path = excluded.task_path, channel = excluded.channel, type = excluded.type, value = excluded.value`;
  // $1 thread key, $2 ns key, $3 checkpoint id, $4 task key, $5 idx,
  // $6 task id, $7 task path, $8 channel, $9 type, $10 value.
  const one = (conflict: string) => (from: string) =>
    `INSERT INTO ${s}.writes ${columns}
SELECT $1::bytea, $2::bytea, $3::text, $4::bytea, $5::int, $6::text, $7::text, $8::text, $9::text, $10::text
FROM ${from}
ON CONFLICT (thread_key, ns_key, checkpoint_id, task_key, idx) ${conflict}`;
  return {
    /** One write that keeps what is there (a retry changes nothing). */
    writeKeep: statement(one("DO NOTHING"), 11),
    /** One write to a special channel: it replaces what is there. */
    writeReplace: statement(one(`DO UPDATE SET ${replace}`), 11),
    /**
     * Many writes in one statement: the rows travel as one json parameter
     * (`[[idx, channel, type, value], ...]`), so no count of writes reaches
     * the 65,535 bind-parameter limit. Negative indexes (special channels)
     * replace; the rest keep what is there.
     * $1 thread key, $2 ns key, $3 checkpoint id, $4 task key, $5 task id,
     * $6 task path, $7 rows.
     */
    writeMany: statement(
      (from) => `INSERT INTO ${s}.writes ${columns}
SELECT $1::bytea, $2::bytea, $3::text, $4::bytea, (r->>0)::int, $5::text, $6::text, r->>1, r->>2, r->>3
FROM ${from}, json_array_elements($7::text::json) AS r
ON CONFLICT (thread_key, ns_key, checkpoint_id, task_key, idx) DO UPDATE SET ${replace}
WHERE excluded.idx < 0`,
      8,
    ),
    /**
     * The writes of several tasks in one statement (`putWritesBatch`): each
     * row of the json parameter carries its task, `[[task key (hex), task
     * id, task path, idx, channel, type, value], ...]`, and no two rows
     * share a (task key, idx). Negative indexes replace, the rest keep.
     * $1 thread key, $2 ns key, $3 checkpoint id, $4 rows.
     */
    writeBatch: statement(
      (from) => `INSERT INTO ${s}.writes ${columns}
SELECT $1::bytea, $2::bytea, $3::text, decode(r->>0, 'hex'), (r->>3)::int, r->>1, r->>2, r->>4, r->>5, r->>6
FROM ${from}, json_array_elements($4::text::json) AS r
ON CONFLICT (thread_key, ns_key, checkpoint_id, task_key, idx) DO UPDATE SET ${replace}
WHERE excluded.idx < 0`,
      5,
    ),
  };
}
