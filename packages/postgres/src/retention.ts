// Retention on Postgres: prune (one transaction per thread), copyThread (one
// transaction) and the ttl sweep (one transaction per batch of threads).
// The SQL and its lock order are in retention-statements.ts.
//
// Why it is safe alongside live work: a prune or a sweep locks a thread's
// head rows before it reads what to remove, and every put changes its head
// row first, so a put either committed before (and the prune sees its
// checkpoint as the newest, which it keeps) or waits and commits after. A
// sweep re-reads the idle clocks under those locks, so a thread written
// after the sweep picked it is left alone. A put into a namespace the thread
// never had makes a new head row, which no lock covers; such a put comes
// from a run under way, whose root checkpoint keeps the thread's clock fresh.
import {
  type Checkpoint,
  checkpointsToKeep,
  decodeStored,
  InvalidArgumentError,
  keepCount,
  type PruneOptions,
  type PruneResult,
  pruneThreadIds,
  quote,
  type ResolvedTtl,
  runDepthOf,
  type StoredCheckpointLink,
  type SweepOptions,
  type SweepResult,
  sweepLimit,
} from "@savepoint/core";
import { keyOf, nsKeyOf, threadIdArg } from "./identifiers.js";
import { RUN_CHANNEL } from "./retention-statements.js";
import type { Queryable, Row, SqlDriver } from "./sql.js";
import type { Statements } from "./statements.js";
import type { ValueCodec } from "./values.js";

/** What retention works with: the connection, the schema's statements, the codec. */
export interface RetentionContext {
  db: SqlDriver;
  sql: Statements;
  codec: ValueCodec;
}

// Threads expired per transaction: small enough that a batch's locks and
// deletes are short, large enough that a sweep of 100,000 threads is a few
// hundred transactions. Pruning to the latest reads each thread, so fewer.
const DELETE_BATCH = 200;
const PRUNE_BATCH = 25;

/**
 * Prunes each thread in its own transaction (see the top of this file).
 *
 * @example
 * ```ts
 * await pruneThreads(context, ["t-1", "t-2"], { keep: 5 }); // { threads: 2, checkpoints: 38 }
 * ```
 */
export async function pruneThreads(
  context: RetentionContext,
  threadIds: readonly string[],
  options: PruneOptions,
): Promise<PruneResult> {
  const ids = pruneThreadIds(threadIds).map((id) => threadIdArg(id, "prune"));
  const keep = keepCount(options?.keep);
  const result: PruneResult = { threads: 0, checkpoints: 0 };
  for (const id of ids) {
    const removed = await context.db.transaction(async (tx) => {
      const key = keyOf(id);
      await tx.query(context.sql.retention.lockHeads, [key]);
      return pruneLocked(tx, context, key, keep);
    });
    if (removed === undefined) continue;
    result.threads++;
    result.checkpoints += removed;
  }
  return result;
}

/**
 * Prunes one thread whose head rows this transaction holds: in each
 * namespace, what core's `checkpointsToKeep` keeps stays. Returns how many
 * checkpoints went, or `undefined` when the thread has none.
 */
async function pruneLocked(
  tx: Queryable,
  { sql, codec }: RetentionContext,
  key: Buffer,
  keep: number,
): Promise<number | undefined> {
  const links = await tx.query(sql.retention.links, [key]);
  if (links.length === 0) return undefined;
  const byNamespace = new Map<string, StoredCheckpointLink[]>();
  for (const row of links) {
    const ns = row.checkpoint_ns as string;
    const list = byNamespace.get(ns) ?? [];
    byNamespace.set(ns, list);
    list.push({
      id: row.checkpoint_id as string,
      parentId: (row.parent_checkpoint_id as string | null) ?? undefined,
    });
  }
  let removed = 0;
  for (const head of await tx.query(sql.retention.newest, [key])) {
    const ns = head.checkpoint_ns as string;
    const namespace = byNamespace.get(ns) ?? [];
    const kept = checkpointsToKeep(namespace, keep, await runDepthOfRow(head, codec));
    const doomed = namespace.filter((c) => !kept.has(c.id)).map((c) => c.id);
    if (doomed.length === 0) continue;
    const [row] = await tx.query(sql.retention.pruneNamespace, [
      key,
      nsKeyOf(ns),
      JSON.stringify(doomed),
    ]);
    removed += Number(row?.removed ?? 0);
  }
  return removed;
}

// The run under way at a namespace's newest checkpoint (-1: none), from its
// stored `__run__` value, or from the checkpoint itself when it keeps its
// values inline. Damage is a CorruptValueError naming the checkpoint.
async function runDepthOfRow(row: Row, codec: ValueCodec): Promise<number> {
  const at = {
    threadId: row.thread_id as string,
    ns: row.checkpoint_ns as string,
    checkpointId: row.checkpoint_id as string,
  };
  if (row.inline === true) {
    const decoded = await decodeStored({ ...at, part: "checkpoint" }, () =>
      codec.decode(row.type as string, row.checkpoint as string),
    );
    return runDepthOf(decoded as Checkpoint);
  }
  const type = row.run_type as string | null;
  const text = row.run_value as string | null;
  if (type === null || type === "empty" || text === null) return -1;
  const where = { ...at, part: "channel value", channel: RUN_CHANNEL } as const;
  const run = await decodeStored(where, () => codec.decode(type, text));
  return runDepthOf({ channel_values: { [RUN_CHANNEL]: run } } as unknown as Checkpoint);
}

/**
 * Copies a whole thread to a new id in one transaction, refusing a source
 * with nothing stored and a target that has anything.
 *
 * @example
 * ```ts
 * await copyThread(context, "t-1", "t-1-fork");
 * ```
 */
export async function copyThread(
  context: RetentionContext,
  fromThreadId: string,
  toThreadId: string,
): Promise<void> {
  const from = threadIdArg(fromThreadId, "copyThread");
  const to = threadIdArg(toThreadId, "copyThread");
  const { sql } = context;
  const fromKey = keyOf(from);
  const toKey = keyOf(to);
  await context.db.transaction(async (tx) => {
    // Two copies onto one new id: the second waits, then finds it taken.
    await tx.query(sql.retention.lockThread, [toKey]);
    const [state] = await tx.query(sql.retention.copyState, [fromKey, toKey]);
    if (state?.source !== true) {
      throw new InvalidArgumentError(
        `copyThread: thread ${quote(from)} has no checkpoints to copy. Check the thread id.`,
      );
    }
    if (state.taken === true) {
      throw new InvalidArgumentError(
        `copyThread: thread ${quote(to)} already has checkpoints or a record; delete it first or ` +
          `choose a new id (a copy never merges into a thread).`,
      );
    }
    await tx.query(sql.retention.copy, [fromKey, toKey, to]);
  });
}

/**
 * Expires the threads idle longer than `ttl`, oldest first, at most
 * `options.limit` of them, in transactions of a batch each.
 *
 * @example
 * ```ts
 * await sweepThreads(context, ttl, { limit: 500 }); // { deleted: 500, pruned: 0, more: true }
 * ```
 */
export async function sweepThreads(
  context: RetentionContext,
  ttl: ResolvedTtl | undefined,
  options?: SweepOptions,
): Promise<SweepResult> {
  const limit = sweepLimit(options);
  const result: SweepResult = { deleted: 0, pruned: 0, more: false };
  if (!ttl) return result;
  const now = options?.now === undefined ? null : Math.floor(options.now);
  const idle = Math.ceil(ttl.idleMs);
  const prune = ttl.onExpire === "keep-latest";
  const { sql } = context;
  const statements = ttl.includeInterrupted
    ? sql.retention.sweep.includingInterrupted
    : sql.retention.sweep.excludingInterrupted;
  // Keys this call has tried: skipped on later batches, so that threads
  // another sweeper holds (or that are not expired after all) are not
  // picked again and every batch moves on.
  const tried: string[] = [];
  let expired = 0;
  while (expired < limit) {
    const batch = Math.min(limit - expired, prune ? PRUNE_BATCH : DELETE_BATCH);
    // Counted once the batch has committed.
    const batchResult = await context.db.transaction(async (tx) => {
      const picked = await tx.query(statements.candidates, [
        now,
        idle,
        JSON.stringify(tried),
        batch * 4,
        batch,
      ]);
      const locked: string[] = [];
      for (const row of picked) {
        tried.push(row.key as string);
        if (row.locked === true) locked.push(row.key as string);
      }
      const none = { picked: picked.length, expired: 0 };
      if (locked.length === 0) return none;
      const lockedJson = JSON.stringify(locked);
      await tx.query(sql.retention.lockThreads, [lockedJson]);
      const rows = await tx.query(statements.expired, [lockedJson, now, idle]);
      const keys = rows.map((row) => row.key as string);
      if (keys.length === 0) return none;
      if (prune) {
        for (const key of keys) await pruneLocked(tx, context, Buffer.from(key, "hex"), 1);
        await tx.query(sql.retention.clearClocks, [JSON.stringify(keys)]);
      } else {
        await tx.query(sql.retention.deleteThreads, [JSON.stringify(keys)]);
      }
      return { picked: picked.length, expired: keys.length };
    });
    if (prune) result.pruned += batchResult.expired;
    else result.deleted += batchResult.expired;
    expired += batchResult.expired;
    if (batchResult.picked === 0) break;
  }
  result.more = expired >= limit;
  return result;
}
