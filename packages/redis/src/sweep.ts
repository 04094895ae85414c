import { type ResolvedTtl, type SweepOptions, type SweepResult, sweepLimit } from "@savepoint/core";
import type { Connection } from "./connection.js";
import type { IdleClock, IdleEntry, IdleSet } from "./idle-clock.js";
import { fromHex, type ThreadKeys } from "./keys.js";
import { type Pruner, planArguments } from "./prune.js";
import { RETENTION_SCRIPTS } from "./retention-lua.js";
import type { ThreadIndex } from "./thread-index.js";
import type { ThreadRecords } from "./thread-records.js";

// `sweep()`: candidates from the idle set (idle-clock.ts), oldest write
// first, each confirmed and expired by one script in the thread's own slot
// (expire in retention-lua.ts). That script re-reads the thread's clock and
// compares it with the score the candidate was selected at, checks the
// exclusions (a root head waiting on an interrupt, a live lease), then
// deletes or prunes, all in one step. So of two sweepers that selected the
// same thread exactly one removes it (the other finds it gone, or marked
// pruned at that write), and a thread written after it was selected is
// left alone (its clock no longer matches).
//
// What follows a script is bookkeeping outside the thread's slot: the
// candidate's entry is dropped (conditionally on its score: a write since
// may have re-added it), moved up to the thread's clock, or, for a thread
// spared because it waits on an interrupt, moved to the waiting set (see
// idle-clock.ts); and a thread
// removed, or found gone (its keys expired by Redis), leaves the thread
// index and its workflow's listing sets, each removal re-checked against
// the thread so that it cannot race a put that re-creates it. A crash in
// between leaves entries that listings drop when they meet them.
//
// "keep-latest" checks first (mode "check") and plans only threads that
// are expired, so a fresh or spared candidate costs one script call.

// Candidate threads expired at once: enough to overlap round trips, few
// enough not to crowd out live writes.
const CONCURRENCY = 16;
const HEX = /^(?:[0-9a-f]{2})*$/;

type Outcome = "deleted" | "pruned" | undefined;
// The expire script's reply: a status and what goes with it (see retention-lua.ts).
type ExpireReply = [status: number, detail?: Buffer | number];

/**
 * The sweeper of one saver with a ttl.
 *
 * @example
 * ```ts
 * const result = await sweeper.sweep({ limit: 500 }); // { deleted, pruned, more }
 * ```
 */
export class Sweeper {
  constructor(
    private readonly connection: Connection,
    private readonly ttl: ResolvedTtl,
    private readonly clock: IdleClock,
    private readonly pruner: Pruner,
    private readonly index: ThreadIndex,
    private readonly records: ThreadRecords,
    private readonly keysOf: (threadId: string) => ThreadKeys,
  ) {}

  /** Expires at most `limit` idle threads, oldest write first (see the top of this file). */
  async sweep(options: SweepOptions | undefined): Promise<SweepResult> {
    const limit = sweepLimit(options);
    const now = options?.now;
    const result: SweepResult = { deleted: 0, pruned: 0, more: false };
    // Candidates that do not expire (fresh, live, stale scores) are looked
    // at too; bound them as well, so one call is bounded work.
    const budget = 4 * limit + 100;
    const seen = new Set<string>();
    const candidates = this.candidates(now, Math.min(limit + 1, 500));
    try {
      for (;;) {
        const room = limit - result.deleted - result.pruned;
        if (room === 0 || seen.size >= budget) {
          result.more = !(await candidates.next()).done;
          return result;
        }
        const chunk: IdleEntry[] = [];
        while (chunk.length < Math.min(room, CONCURRENCY)) {
          const next = await candidates.next();
          if (next.done) break;
          chunk.push(next.value);
        }
        if (chunk.length === 0) return result;
        const outcomes = await Promise.all(
          chunk.map((entry) => {
            // In both sets, or moved up during this call: once is enough.
            if (seen.has(entry.hex)) return undefined;
            seen.add(entry.hex);
            return this.expire(entry, now);
          }),
        );
        for (const outcome of outcomes) {
          if (outcome === "deleted") result.deleted++;
          else if (outcome === "pruned") result.pruned++;
        }
      }
    } finally {
      await candidates.return(undefined);
    }
  }

  // Entries idle at `now`, oldest first: of the first set, merged with the
  // waiting set's when interrupted threads expire too (see idle-clock.ts).
  private async *candidates(now: number | undefined, batch: number): AsyncGenerator<IdleEntry> {
    const sets: IdleSet[] = this.ttl.includeInterrupted ? ["writes", "waiting"] : ["writes"];
    const cursors = sets.map((set) => ({
      set,
      buffer: [] as IdleEntry[],
      last: undefined as IdleEntry | undefined,
      done: false,
    }));
    for (;;) {
      for (const cursor of cursors) {
        if (cursor.buffer.length > 0 || cursor.done) continue;
        cursor.buffer = await this.clock.page(cursor.set, now, this.ttl.idleMs, cursor.last, batch);
        if (cursor.buffer.length < batch) cursor.done = true;
        cursor.last = cursor.buffer[cursor.buffer.length - 1];
      }
      let best: (typeof cursors)[number] | undefined;
      for (const cursor of cursors) {
        const head = cursor.buffer[0];
        if (head && (!best || earlier(head, best.buffer[0]!))) best = cursor;
      }
      if (!best) return;
      yield best.buffer.shift()!;
    }
  }

  // Confirms and expires one candidate; what it did.
  private async expire(entry: IdleEntry, now: number | undefined): Promise<Outcome> {
    const { hex, score, set } = entry;
    if (!HEX.test(hex)) {
      await this.clock.forget("sweep", hex, set, score);
      return undefined;
    }
    const keys = this.keysOf(fromHex(hex));
    const base = [score, now === undefined ? "" : String(now), String(this.ttl.idleMs)];
    base.push(this.ttl.includeInterrupted ? "0" : "1");
    const deleting = this.ttl.onExpire === "delete";
    let reply = await this.run(keys, [deleting ? "delete" : "check", ...base]);
    if (reply[0] === 9) {
      const plan = await this.pruner.plan(keys, fromHex(hex), 1);
      reply = await this.run(keys, ["prune", ...base, ...planArguments(plan)]);
    }
    const [status, detail] = reply;
    switch (status) {
      case 0: {
        const { removed, workflow } = await this.clock.forget("sweep", hex, "both", score);
        if (removed) await this.cleanIndexes(keys, workflow);
        return undefined;
      }
      case 1: {
        const clock = String(detail);
        if (Number(clock) > Number(score)) await this.clock.raise("sweep", set, hex, clock);
        return undefined;
      }
      case 2:
        await this.clock.spare(hex, score);
        return undefined;
      case 5: {
        const { workflow } = await this.clock.forget("sweep", hex, "both", score);
        await this.cleanIndexes(keys, String(detail ?? "") || workflow);
        return "deleted";
      }
      case 6:
        await this.clock.forget("sweep", hex, set, score);
        return "pruned";
      case 4:
      case 8:
        // Already pruned at this write, or written without a ttl: until its next write.
        await this.clock.forget("sweep", hex, set, score);
        return undefined;
      default:
        // 3: a live run; 7: a head moved on. Looked at again next time.
        return undefined;
    }
  }

  private async run(keys: ThreadKeys, args: string[]): Promise<ExpireReply> {
    return (await this.connection.run(
      "sweep",
      RETENTION_SCRIPTS.expire,
      keys,
      args,
    )) as ExpireReply;
  }

  // The thread's entries outside its slot, after it was removed or found gone.
  private async cleanIndexes(keys: ThreadKeys, workflow: string): Promise<void> {
    await Promise.all([
      this.index.forget("sweep", keys),
      workflow === "" ? undefined : this.records.forget(keys.threadHex, workflow),
    ]);
  }
}

// Whether entry `a` comes before `b`: older write first, then thread hex.
function earlier(a: IdleEntry, b: IdleEntry): boolean {
  const [x, y] = [Number(a.score), Number(b.score)];
  return x < y || (x === y && a.hex < b.hex);
}
