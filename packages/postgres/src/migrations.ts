import { InvalidArgumentError, quote, SchemaVersionError } from "@savepoint/core";
import type { SqlDriver } from "./sql.js";

/**
 * One step of the schema. Versions are applied in order, each once, and
 * recorded in the schema's `migrations` table.
 *
 * @example
 * ```ts
 * const step: Migration = { version: 2, name: "add-ttl", sql: (s) => `alter table ${s}.checkpoints add ttl int` };
 * ```
 */
export interface Migration {
  /** The schema version this step brings the database to; steps run in this order. */
  version: number;
  /** A short description, recorded in the migrations table. */
  name: string;
  /** The DDL, given the quoted schema name. */
  sql: (schema: string) => string;
}

/**
 * The schema, oldest step first.
 *
 * Rows are keyed by 16-byte digests of thread id, namespace and task id
 * (`*_key`), not by the text itself: a btree entry cannot exceed ~2.7 KB, and
 * ids of any length must work. The text is kept next to the key for reads.
 * Every id column that is ordered uses `COLLATE "C"` so order is byte order,
 * which for UTF-8 is code-point order, the order the ids were made to sort in.
 *
 * `heads` holds the latest checkpoint id of each (thread, namespace), so a
 * conditional put is one statement whose row lock decides the race.
 * `threads` holds one record per thread for `listThreads` (version 3); the
 * head rows carry each thread's idle clock for `ttl` (version 4).
 *
 * @example
 * ```ts
 * MIGRATIONS.at(-1)!.version; // the version this code writes
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "checkpoints, writes and heads",
    sql: (s) => `
CREATE TABLE ${s}.checkpoints (
  thread_key bytea NOT NULL,
  ns_key bytea NOT NULL,
  checkpoint_id text COLLATE "C" NOT NULL,
  thread_id text COLLATE "C" NOT NULL,
  checkpoint_ns text COLLATE "C" NOT NULL,
  parent_checkpoint_id text COLLATE "C",
  type text NOT NULL,
  checkpoint text NOT NULL,
  metadata jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_key, ns_key, checkpoint_id)
);
-- newest-first across the namespaces of one thread
CREATE INDEX checkpoints_thread_newest ON ${s}.checkpoints (thread_key, checkpoint_id DESC);
-- newest-first across every thread (list without thread_id)
CREATE INDEX checkpoints_newest ON ${s}.checkpoints (checkpoint_id DESC);
-- list filters: containment narrows, exact per-key equality decides
CREATE INDEX checkpoints_metadata ON ${s}.checkpoints USING gin (metadata jsonb_path_ops);

CREATE TABLE ${s}.writes (
  thread_key bytea NOT NULL,
  ns_key bytea NOT NULL,
  checkpoint_id text COLLATE "C" NOT NULL,
  task_key bytea NOT NULL,
  idx integer NOT NULL,
  task_id text COLLATE "C" NOT NULL,
  task_path text COLLATE "C" NOT NULL DEFAULT '',
  channel text NOT NULL,
  type text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (thread_key, ns_key, checkpoint_id, task_key, idx)
);

CREATE TABLE ${s}.heads (
  thread_key bytea NOT NULL,
  ns_key bytea NOT NULL,
  checkpoint_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (thread_key, ns_key)
);
`,
  },
  {
    version: 2,
    name: "channel values once per (channel, version)",
    // A checkpoint row with channel_versions keeps its values here (type
    // "empty", value null: the channel was emptied at that version); a row
    // without (written before this step) keeps them inline, and still reads.
    sql: (s) => `
ALTER TABLE ${s}.checkpoints ADD COLUMN channel_versions jsonb;
-- the rows with inline values, so that a saver can tell at once whether any are left
CREATE INDEX checkpoints_inline ON ${s}.checkpoints (checkpoint_id) WHERE channel_versions IS NULL;

CREATE TABLE ${s}.channel_values (
  thread_key bytea NOT NULL,
  ns_key bytea NOT NULL,
  channel text COLLATE "C" NOT NULL,
  version text COLLATE "C" NOT NULL,
  type text NOT NULL,
  value text,
  PRIMARY KEY (thread_key, ns_key, channel, version)
);
`,
  },
  {
    version: 3,
    name: "thread records",
    // One row per thread (the `threads` capability), changed in the statement
    // of the checkpoint or writes it accompanies. Times are milliseconds on
    // the database's clock, so leases of savers on many machines compare on
    // one clock. The indexes hold digests (of the entrypoint, of the thread
    // id), never the ids: thread ids of any length are stored, and a btree
    // entry cannot hold them. Each index gives a listing's exact order (newest
    // update first, then the thread's digest), so a page reads its own rows
    // from the index and never sorts the table, whatever the planner's
    // statistics say (PGlite has no autovacuum to keep them fresh).
    // Threads written before this step have no record until their next run.
    sql: (s) => `
CREATE TABLE ${s}.threads (
  thread_key bytea PRIMARY KEY,
  thread_id text COLLATE "C" NOT NULL,
  entrypoint_key bytea NOT NULL,
  entrypoint text NOT NULL,
  status text NOT NULL CHECK (status IN ('interrupted', 'running', 'failed', 'done')),
  interrupts_type text,
  interrupts text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  checkpoint_id text COLLATE "C" NOT NULL,
  owner text,
  lease_until bigint
);
-- a status's threads of one workflow, newest update first (the first page of "interrupted")
CREATE INDEX threads_by_status ON ${s}.threads (entrypoint_key, status, updated_at DESC, thread_key DESC);
-- every thread of one workflow, newest update first
CREATE INDEX threads_newest ON ${s}.threads (entrypoint_key, updated_at DESC, thread_key DESC);
`,
  },
  {
    version: 4,
    name: "idle clocks for thread ttl",
    // When each (thread, namespace) was last written, in milliseconds on the
    // database's clock (so sweepers on many machines agree), kept on the head
    // row: every put already changes that row in its statement, so the clock
    // costs a put one more column, and a task write one conditional update.
    // A thread's idle time is its newest clock. NULL: pruned when it expired
    // ("keep-latest"), idle again from its next write. Rows written before
    // this step start their clock at the migration (the default is evaluated
    // once, so the column is added without rewriting the table); the index
    // lets a sweep read the oldest clocks first without scanning every thread.
    sql: (s) => `
ALTER TABLE ${s}.heads ADD COLUMN last_write_at bigint DEFAULT (extract(epoch from now()) * 1000)::bigint;
ALTER TABLE ${s}.heads ALTER COLUMN last_write_at SET DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint;
CREATE INDEX heads_idle ON ${s}.heads (last_write_at);
`,
  },
  {
    version: 5,
    name: "list channels stored as tails",
    // A version of a list channel that extends an earlier version of the
    // same channel (a chat's messages, one turn longer) is stored as its
    // tail: `value` holds the elements after the first `base_length` of
    // version `base_version`, and `type` is core's LIST_TAIL_TYPE, which an
    // older release refuses rather than reading a tail as the whole list.
    // Rows written before this step are full values (both columns NULL) and
    // read as they always did. Nullable columns without a default: adding
    // them rewrites nothing. A read follows base_version through the
    // primary key, so no index is needed.
    sql: (s) => `
ALTER TABLE ${s}.channel_values ADD COLUMN base_version text COLLATE "C";
ALTER TABLE ${s}.channel_values ADD COLUMN base_length integer;
`,
  },
];

/**
 * The newest schema version this code knows; a database at a newer one is
 * refused with SchemaVersionError.
 *
 * @example
 * ```ts
 * console.log(`schema v${SCHEMA_VERSION}`);
 * ```
 */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * The schema name, checked and double-quoted for use in SQL text (identifiers
 * cannot be bound parameters).
 *
 * @example
 * ```ts
 * quoteSchema("savepoint"); // "\"savepoint\""
 * quoteSchema("x; drop table y"); // throws InvalidArgumentError
 * ```
 */
export function quoteSchema(name: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new InvalidArgumentError(
      `Schema name ${quote(name)} is not a plain SQL identifier: use 1 to 63 letters, ` +
        `digits, "_" or "$", starting with a letter or "_".`,
    );
  }
  return `"${name}"`;
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. Safe to call from many
 * processes at once: the whole check-and-apply runs in one transaction under
 * an advisory lock keyed by the schema name, so exactly one process applies
 * each step and the others find it done. A database already at a newer
 * version is left untouched and a {@link SchemaVersionError} is thrown.
 *
 * @example
 * ```ts
 * const version = await migrate(db, "savepoint"); // 1
 * ```
 */
export async function migrate(
  db: SqlDriver,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const s = quoteSchema(schema);
  const known = migrations.at(-1)?.version ?? 0;
  return db.transaction(async (tx) => {
    await tx.exec("SET LOCAL client_min_messages = warning");
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1::text))", [
      `savepoint.migrate:${schema}`,
    ]);
    const [found] = await tx.query("SELECT to_regclass($1::text) IS NOT NULL AS present", [
      `${s}.migrations`,
    ]);
    let current = 0;
    if (found?.present) {
      const [row] = await tx.query(
        `SELECT coalesce(max(version), 0)::int AS version FROM ${s}.migrations`,
      );
      current = Number(row?.version ?? 0);
    }
    if (current > known) {
      throw new SchemaVersionError(
        `${db.location}: schema ${quote(schema)} is at version ${current}, but this @savepoint/postgres ` +
          `knows versions up to ${known}. It was migrated by a newer release; upgrade ` +
          `@savepoint/postgres here to use it. Nothing was written.`,
      );
    }
    if (current === known) return current;
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`,
    );
    for (const m of migrations) {
      if (m.version <= current) continue;
      await tx.exec(m.sql(s));
      await tx.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1::int, $2::text)`, [
        m.version,
        m.name,
      ]);
    }
    return known;
  });
}
