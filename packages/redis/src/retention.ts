import {
  keepCount,
  type PruneOptions,
  type PruneResult,
  pruneThreadIds,
  type SweepOptions,
  type SweepResult,
  sweepLimit,
  type ThreadTtl,
} from "@savepoint/core";
import type { Connection } from "./connection.js";
import { type CopyContext, copyThread } from "./copy.js";
import { IdleClock } from "./idle-clock.js";
import type { ThreadKeys } from "./keys.js";
import { type RedisSaverTtl, resolveRedisTtl, retentionArguments } from "./options.js";
import { Pruner } from "./prune.js";
import type { RecordCodec } from "./records.js";
import { Sweeper } from "./sweep.js";
import type { ThreadIndex } from "./thread-index.js";
import type { ThreadRecords } from "./thread-records.js";
import { TupleReader } from "./tuples.js";

/** What a saver's retention needs of the saver. */
export interface RetentionParts {
  connection: Connection;
  codec: RecordCodec;
  prefix: string;
  index: ThreadIndex;
  records: ThreadRecords;
  keysOf(threadId: string): ThreadKeys;
}

/**
 * One saver's retention: its ttl as the scripts take it, the idle clock
 * kept beside its writes, and `prune`, `copyThread` and `sweep`.
 *
 * @example
 * ```ts
 * const retention = new SaverRetention(parts, { idle: "30d" });
 * await retention.sweep({ limit: 100 });
 * ```
 */
export class SaverRetention {
  /** The retention argument of a write's script (options.ts). */
  readonly writeArg: string;
  /** The retention argument of a read's script ("0" unless refreshOnRead). */
  readonly readArg: string;
  /** No ttl: a write's script has no idle clock or expiry to keep. */
  readonly untimed: boolean;
  private readonly idle: IdleClock;
  // With a ttl: on one Redis the write scripts take the idle keys last; on a Cluster they follow up.
  private readonly idleKeys: readonly string[];
  private readonly followUp: boolean;
  private readonly pruner: Pruner;
  private readonly sweeper: Sweeper | undefined;
  private readonly copying: CopyContext;

  constructor(parts: RetentionParts, ttlOption: ThreadTtl | RedisSaverTtl | undefined) {
    const { connection, codec, index, records, keysOf } = parts;
    const ttl = resolveRedisTtl(ttlOption);
    const inline = !connection.client.isCluster;
    ({ write: this.writeArg, read: this.readArg } = retentionArguments(ttl, inline));
    this.untimed = ttl === undefined;
    this.idle = new IdleClock(connection, parts.prefix);
    this.idleKeys = ttl && inline ? [this.idle.keys.writes, this.idle.keys.workflows] : [];
    this.followUp = ttl !== undefined && !inline;
    this.pruner = new Pruner(connection, new TupleReader(connection, codec, "0"), keysOf);
    this.sweeper =
      ttl && new Sweeper(connection, ttl, this.idle, this.pruner, index, records, keysOf);
    this.copying = {
      connection,
      index,
      records,
      clock: this.idle,
      retention: this.writeArg,
      scriptKeys: (keys) => this.scriptKeys(keys.all),
      followUp: this.followUp,
      keysOf,
    };
  }

  /** A write script's KEYS, the idle keys after them when the script updates them itself. */
  scriptKeys(keys: readonly string[]): readonly string[] {
    return this.idleKeys.length === 0 ? keys : [...keys, ...this.idleKeys];
  }

  /** After a write's script touched the thread at `touched` (a Cluster with a ttl: the idle set's follow-up). */
  written(keys: ThreadKeys, touched: number | undefined, workflow: Buffer | undefined) {
    return this.followUp ? this.idle.written(keys.threadHex, touched ?? 0, workflow) : undefined;
  }

  /** Drops the thread's idle entry (deleteThread). */
  async forget(keys: ThreadKeys): Promise<void> {
    await this.idle.forget("deleteThread", keys.threadHex, "both");
  }

  /** See RedisSaver.prune. */
  async prune(threadIds: readonly string[], options: PruneOptions): Promise<PruneResult> {
    const keep = keepCount(options?.keep);
    return this.pruner.prune(pruneThreadIds(threadIds), keep);
  }

  /** See RedisSaver.copyThread. */
  async copyThread(from: string, to: string): Promise<void> {
    return copyThread(this.copying, from, to);
  }

  /** See RedisSaver.sweep. */
  async sweep(options: SweepOptions | undefined): Promise<SweepResult> {
    sweepLimit(options);
    if (!this.sweeper) return { deleted: 0, pruned: 0, more: false };
    return this.sweeper.sweep(options);
  }
}
