import type { Connection } from "./connection.js";
import { type IdleKeys, idleKeys } from "./keys.js";
import { RETENTION_SCRIPTS } from "./retention-lua.js";

// The idle clock of every thread under a prefix, for `sweep()`.
//
// Each thread written with a ttl keeps its last write time (ms, the Redis
// clock) in its own record, field `w`, set by the write's script (see
// expiry-lua.ts): that copy is the truth, and a sweep re-checks it inside the
// thread's slot before it removes anything. Beside it, one sorted set per
// prefix, `<prefix>:{idle}:writes` (thread hex → last write), lets a sweep
// find the longest idle threads without scanning; a hash beside it,
// `<prefix>:{idle}:workflows`, remembers each thread's workflow, so a sweep
// can clean the listings of a thread whose keys Redis already expired (its
// record, which named the workflow, went with them).
//
// On one Redis the write scripts update both in the same call (they are the
// script's last two keys). On a Cluster they live in a slot of their own
// (the `{idle}` hash tag), so the saver updates them right after the
// thread's script, raising the score only (idleRaise), as it does for
// listing sets. Entries are candidates, never the truth: a score behind the
// thread's clock (a read with refreshOnRead, which moves `w` only; a
// follow-up still on its way) makes a sweep look at the thread early,
// find it fresh and move the entry up. A crash between a Cluster write and
// its follow-up leaves the thread without an entry until its next write;
// with `onExpire: "delete"` its keys still expire by themselves.

/** Which idle set an entry is in: the first, or the one of spared threads. */
export type IdleSet = "writes" | "waiting";

/** A candidate of a sweep: a thread hex, the last write its entry says, and its set. */
export interface IdleEntry {
  hex: string;
  score: string;
  set: IdleSet;
}

/**
 * The idle sets and workflows hash of one prefix.
 *
 * @example
 * ```ts
 * const clock = new IdleClock(connection, "savepoint");
 * const page = await clock.page("writes", undefined, 60_000, undefined, 100);
 * ```
 */
export class IdleClock {
  /** The keys (one slot: the `{idle}` hash tag). */
  readonly keys: IdleKeys;
  private readonly all: readonly string[];

  constructor(
    private readonly connection: Connection,
    prefix: string,
  ) {
    this.keys = idleKeys(prefix);
    this.all = [this.keys.writes, this.keys.waiting, this.keys.workflows];
  }

  /**
   * Up to `count` entries of `set` idle longer than `idleMs` at `now`
   * (undefined: the server's clock), oldest write first, strictly after `after`.
   */
  async page(
    set: IdleSet,
    now: number | undefined,
    idleMs: number,
    after: IdleEntry | undefined,
    count: number,
  ): Promise<IdleEntry[]> {
    const args = [
      now === undefined ? "" : String(now),
      String(idleMs),
      after?.score ?? "",
      after?.hex ?? "",
      String(count),
    ];
    const flat = (await this.connection.call("sweep", () =>
      RETENTION_SCRIPTS.idlePage.run(this.connection.client, [this.keys[set]], args),
    )) as Buffer[];
    const out: IdleEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out.push({ hex: flat[i]!.toString("utf8"), score: flat[i + 1]!.toString("utf8"), set });
    }
    return out;
  }

  /** Sets thread `hex`'s last write in `set` to `at` (never lowering it), with its workflow when known. */
  async raise(
    operation: string,
    set: IdleSet,
    hex: string,
    at: number | string,
    workflow = "",
  ): Promise<void> {
    await this.connection.call(operation, () =>
      RETENTION_SCRIPTS.idleRaise.run(
        this.connection.client,
        [this.keys[set], this.keys.workflows],
        [String(at), hex, workflow],
      ),
    );
  }

  /**
   * The follow-up of a Cluster write whose script touched the thread at
   * `at` (0: it did not). Quiet: the write committed, and a lost follow-up
   * only delays the thread's sweep to its next write (see the top of this file).
   */
  async written(hex: string, at: number, workflow: Buffer | string | undefined): Promise<void> {
    if (!(at > 0)) return;
    try {
      await this.raise("thread index", "writes", hex, at, workflow ? workflow.toString() : "");
    } catch {
      // Deliberately quiet: see above.
    }
  }

  /**
   * Removes thread `hex`'s entry in `set` (or both), unless its score is no
   * longer `seen` (undefined: whatever it is); its workflow goes too once no
   * entry is left. Returns whether it was removed and the workflow it had.
   */
  async forget(
    operation: string,
    hex: string,
    set: IdleSet | "both",
    seen?: string,
  ): Promise<{ removed: boolean; workflow: string }> {
    const [removed, workflow] = (await this.connection.call(operation, () =>
      RETENTION_SCRIPTS.idleForget.run(this.connection.client, this.all, [hex, set, seen ?? ""]),
    )) as [number, Buffer];
    return { removed: removed === 1, workflow: workflow.toString("utf8") };
  }

  /** Moves the entry of a thread spared for waiting on an interrupt to the waiting set. */
  async spare(hex: string, seen: string): Promise<void> {
    await this.connection.call("sweep", () =>
      RETENTION_SCRIPTS.idleSpare.run(
        this.connection.client,
        [this.keys.writes, this.keys.waiting],
        [hex, seen],
      ),
    );
  }
}
