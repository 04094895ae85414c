import {
  InvalidArgumentError,
  quote,
  type StoredThreadStatus,
  type ThreadUpdate,
} from "@savepoint/core";
import type { Connection } from "./connection.js";
import { fromHex, type ThreadKeys, threadKeys, threadListKey, toHex } from "./keys.js";
import type { RecordCodec } from "./records.js";
import { SCRIPTS } from "./scripts.js";

// Thread records (the `threads` capability).
//
// The record of a thread is a hash beside its checkpoints, `<prefix>:{<thread
// hex>}:thread`, in the thread's slot. The put and putWrites scripts change
// it in the same call as the checkpoint or writes it accompanies (only when
// they commit; putWrites only while the record still names the writes'
// checkpoint), so on a Cluster too the record never disagrees with the
// thread's data. It expires with the thread's other keys (it is one of
// ThreadKeys.all, so every TTL refresh and deleteThread's DEL include it).
// Fields: e entrypoint, s stored status, c createdAt ms, u updatedAt ms, k
// checkpoint id (hex), o lease owner, l lease end ms, i interrupts record,
// and `m!<key hex>` one record per metadata key, so the shallow merge of
// metadata is a plain HSET inside the script (a script cannot decode what the
// serializer wrote). Times are the server's clock. Retention keeps three
// more (see expiry-lua.ts and retention-lua.ts): w the last write ms (with a
// ttl: the thread's idle clock), x the root head's cid when an
// `__interrupt__` write was stored on it, p the last write a sweep pruned
// the thread at. A record with only those lists nowhere (it has no
// entrypoint): it is a thread without runs, such as a LangGraph graph's.
//
// Listings read sorted sets per (prefix, workflow): `<prefix>:threads:<entrypoint
// hex>:all` and one per stored status, members thread hex, scores updatedAt.
//
// On one Redis (not a Cluster) keys need not share a slot: the put and
// putWrites scripts take the workflow's five sets as KEYS[9..13] and update
// them with the record (thread-lua.ts), so the sets agree with the records
// and a record update costs no round trip of its own. Nothing below about
// follow-ups and preindexing happens there; listings still confirm entries
// against records (a hand edit, a thread that changed workflow).
//
// On a Cluster the sets have no hash tag, so they live in slots of their own
// and no thread script can write them. Right after a script changed a record the
// saver adds the thread to `all` and to its status's set with a raise-only
// ZADD (threadRaise, ZADD GT for Redis < 6.2; sent after the script, since
// only the script knows the updatedAt). Writers only ever add, so two
// writers whose follow-ups arrive out of order cannot remove each other's
// entry, and the newer score wins. Entries are therefore hints:
// a listing confirms every candidate against the thread's own record
// (entrypoint, status, updatedAt, read with that node's clock) and
//
// - drops an entry whose record is gone (deleted, expired) or belongs to
//   another workflow, or, in a status set, whose record has another status
//   (the thread moved on: its entry there is left for the listing to drop);
// - repairs an entry whose score is not the record's updatedAt (it moved on
//   and the follow-up is still on its way, or was lost) and lists the thread
//   at its record's place, never at the entry's: in this page when that
//   place is within what the page has read, else where the scan meets it.
//
// Dropping removes the entry, then reads the record again and puts the entry
// back when the record matches after all, so it cannot race a writer whose
// follow-up has just added it.
//
// A crash (or a failed follow-up) between a script and its ZADDs leaves the
// record right and the sets behind. So that the thread is not missing from
// the sets of its new status, the saver also sends a ZADD NX of the thread,
// at its own clock, alongside the script (preindexed): the entry then
// exists, maybe at a wrong score, which a listing repairs. No listing ever
// shows what the record contradicts; the thread's next write sets the
// scores right too.

// In the order of the scripts' KEYS[10..13] (thread-lua.ts).
const STORED: readonly StoredThreadStatus[] = ["interrupted", "running", "failed", "done"];
// The arguments of no thread update.
const NONE: readonly string[] = ["0"];

/** The listing sets of one workflow: `"all"` and one per stored status. */
export const LIST_PARTS: readonly string[] = ["all", ...STORED];

/**
 * A thread's record as stored, with the clock of the node that holds it.
 *
 * @example
 * ```ts
 * const record = await records.read("t1");
 * record?.status; // "running"
 * ```
 */
export interface StoredThread {
  threadId: string;
  entrypoint: string;
  status: StoredThreadStatus;
  createdAt: number;
  updatedAt: number;
  checkpointId: string;
  leaseUntil: number | undefined;
  interrupts: Buffer | undefined;
  /** Metadata key and value record, one per stored key. */
  metadata: [string, Buffer][];
  /** The server's time when the record was read, in ms. */
  now: number;
}

/**
 * The thread records of one saver: the arguments its scripts take, the
 * listing sets kept beside them, and reading a record back.
 *
 * @example
 * ```ts
 * const records = new ThreadRecords(connection, codec, "savepoint");
 * const args = await records.argumentsOf(update);
 * ```
 */
export class ThreadRecords {
  /** One Redis, not a Cluster: the scripts update the listing sets themselves. */
  private readonly inline: boolean;
  private readonly setsOf = new Map<string, readonly string[]>();

  constructor(
    private readonly connection: Connection,
    readonly codec: RecordCodec,
    readonly prefix: string,
  ) {
    this.inline = !connection.client.isCluster;
  }

  /**
   * The thread update's script arguments (a count, then the arguments; see
   * thread-lua.ts): `["0"]` without an update, or outside the root
   * namespace, where a thread has no status of its own.
   */
  argumentsOf(
    update: ThreadUpdate | undefined,
    ns: string,
    keys: ThreadKeys,
  ): readonly (string | Buffer)[] | Promise<(string | Buffer)[]> {
    // Most writes carry no update: no promise for them.
    return update === undefined || ns !== "" ? NONE : this.encodeUpdate(update, keys);
  }

  /**
   * The KEYS of a put or putWrites script carrying `update`: the thread's
   * keys, and on one Redis the workflow's listing sets after them (in
   * {@link LIST_PARTS} order), which the script then updates itself.
   */
  scriptKeys(keys: ThreadKeys, update: ThreadUpdate | undefined, ns: string): readonly string[] {
    if (!this.inline || update === undefined || ns !== "") return keys.all;
    const sets = this.listSets(update.entrypoint);
    return [...keys.all, ...sets];
  }

  // The workflow's listing set keys in LIST_PARTS order, remembered per workflow.
  private listSets(entrypoint: string): readonly string[] {
    let sets = this.setsOf.get(entrypoint);
    if (sets === undefined) {
      if (this.setsOf.size >= 1_000) this.setsOf.clear();
      sets = LIST_PARTS.map((p) => this.listKey(entrypoint, p));
      this.setsOf.set(entrypoint, sets);
    }
    return sets;
  }

  private async encodeUpdate(update: ThreadUpdate, keys: ThreadKeys): Promise<(string | Buffer)[]> {
    const { entrypoint, status, lease } = update;
    if (typeof entrypoint !== "string" || entrypoint === "" || !STORED.includes(status)) {
      throw new InvalidArgumentError(
        `RedisSaver: a thread update needs an entrypoint name and a status of ${STORED.join(", ")}; ` +
          `got entrypoint ${quote(entrypoint)}, status ${quote(status)}.`,
      );
    }
    const interrupts =
      status === "interrupted"
        ? await this.codec.encode([], update.interrupts ?? [], "The interrupts of a thread record")
        : "";
    const ms = lease ? Math.max(0, Math.round(Number(lease.ms))) : undefined;
    const args: (string | Buffer)[] = [
      entrypoint,
      status,
      interrupts,
      lease ? String(lease.owner) : "",
      ms === undefined || !Number.isFinite(ms) ? "" : String(ms),
      keys.threadHex,
    ];
    for (const [key, value] of Object.entries(update.metadata ?? {})) {
      // A key set to undefined is not kept, as JSON would not keep it.
      if (value === undefined) continue;
      args.push(toHex(key), await this.codec.encode([], value, `Thread metadata ${quote(key)}`));
    }
    return [String(args.length), ...args];
  }

  /**
   * Sent with the script (not awaited before it): adds the thread, at this
   * process's clock, to the listing sets of `update` where it has no entry
   * at all (ZADD NX). A crash between the script and {@link indexed} then
   * still leaves an entry (a listing repairs its score), so a run that died
   * right after claiming its thread is found stalled by `recover()`. An
   * entry added for a put that did not commit is stale and dropped when met.
   */
  async preindexed(keys: ThreadKeys, update: ThreadUpdate | undefined, ns: string) {
    // On one Redis the script updates the sets itself (see the top of this file).
    if (!update || ns !== "" || this.inline) return;
    const { client } = this.connection;
    const [hex, now] = [keys.threadHex, Date.now()];
    try {
      await this.connection.call("thread index", () =>
        Promise.all(
          ["all", update.status].map((p) =>
            client.zadd(this.listKey(update.entrypoint, p), "NX", now, hex),
          ),
        ),
      );
    } catch {
      // Quiet like indexed(): the follow-up adds the entries too.
    }
  }

  /**
   * After a script changed the thread's record to `updatedAt` (0: it did
   * not): adds the thread to its workflow's listing sets. A failure here is
   * not the write's failure (that committed); the sets catch up with the
   * thread's next write (see the top of this file).
   */
  async indexed(keys: ThreadKeys, update: ThreadUpdate | undefined, updatedAt: number) {
    if (!update || !(updatedAt > 0) || this.inline) return;
    const hex = keys.threadHex;
    try {
      await Promise.all([
        this.raise(this.listKey(update.entrypoint, "all"), hex, updatedAt),
        this.raise(this.listKey(update.entrypoint, update.status), hex, updatedAt),
      ]);
    } catch {
      // Deliberately quiet: see above.
    }
  }

  /**
   * Removes the thread's listing entries, then runs `remove` (the DEL of its
   * keys, record included). Entries first: a put re-creating the thread after
   * the DEL adds its entries after this, never before.
   */
  async deleteThread(keys: ThreadKeys, remove: () => Promise<void>): Promise<void> {
    const { client } = this.connection;
    const entrypoint = await this.connection.call("deleteThread", () =>
      client.hget(keys.record, "e"),
    );
    if (entrypoint !== null) {
      await this.connection.call("deleteThread", () =>
        Promise.all(
          LIST_PARTS.map((p) => client.zrem(this.listKey(entrypoint, p), keys.threadHex)),
        ),
      );
    }
    await remove();
  }

  /**
   * Adds thread `threadHex` to workflow `entrypoint`'s listing sets ("all"
   * and `status`'s) at `updatedAt`, on one Redis too: for a record made by
   * another way than a write's script (a copy).
   */
  async list(threadHex: string, entrypoint: string, status: string, updatedAt: number) {
    await Promise.all(
      ["all", status].map((p) => this.raise(this.listKey(entrypoint, p), threadHex, updatedAt)),
    );
  }

  /**
   * Drops thread `threadHex` from workflow `entrypoint`'s listing sets after
   * a sweep found it gone or removed it; entries are put back if the record
   * reads as listed after all (a write re-created the thread meanwhile).
   */
  async forget(threadHex: string, entrypoint: string) {
    const { client } = this.connection;
    await this.connection.call("sweep", () =>
      Promise.all(LIST_PARTS.map((p) => client.zrem(this.listKey(entrypoint, p), threadHex))),
    );
    const again = await this.read(fromHex(threadHex));
    if (again && again.entrypoint === entrypoint) {
      await this.list(threadHex, entrypoint, again.status, again.updatedAt);
    }
  }

  /** The listing set `part` of workflow `entrypoint`. */
  listKey(entrypoint: string, part: string): string {
    return threadListKey(this.prefix, entrypoint, part);
  }

  /**
   * Up to `count` entries of listing set `key` strictly after the position
   * `tie` (score, then thread hex, descending), within the score bounds
   * `max` and `min` (ZRANGE BYSCORE syntax): one script call.
   */
  async page(
    key: string,
    tie: { score: string; hex: string } | undefined,
    max: string,
    min: string,
    count: number,
  ): Promise<{ hex: string; score: string }[]> {
    const args = [tie?.score ?? "", tie?.hex ?? "", max, min, String(count)];
    const reply = (await this.connection.call("listThreads", () =>
      SCRIPTS.threadPage.run(this.connection.client, [key], args),
    )) as [Buffer, Buffer][];
    return reply.map(([m, s]) => ({ hex: m.toString("utf8"), score: s.toString("utf8") }));
  }

  /** The thread's record, or undefined when it has none (or one too damaged to read). */
  async read(threadId: string): Promise<StoredThread | undefined> {
    const key = threadKeys(this.prefix, threadId).record;
    const reply = (await this.connection.call("listThreads", () =>
      SCRIPTS.threadRecord.run(this.connection.client, [key], []),
    )) as [Buffer, Buffer[]];
    const [now, flat] = reply;
    const fields = new Map<string, Buffer>();
    const metadata: [string, Buffer][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const name = flat[i]!.toString("utf8");
      if (name.startsWith("m!")) metadata.push([fromHex(name.slice(2)), flat[i + 1]!]);
      else fields.set(name, flat[i + 1]!);
    }
    const text = (name: string) => fields.get(name)?.toString("utf8");
    const num = (name: string) => (fields.has(name) ? Number(text(name)) : Number.NaN);
    const status = text("s") as StoredThreadStatus;
    const entrypoint = text("e");
    const checkpoint = text("k");
    const [createdAt, updatedAt, leaseUntil] = [num("c"), num("u"), num("l")];
    // A partial record (a hand edit, a key restored half) is not a thread to list.
    if (entrypoint === undefined || checkpoint === undefined || !STORED.includes(status)) return;
    if (!Number.isFinite(createdAt) || !Number.isFinite(updatedAt)) return;
    return {
      threadId,
      entrypoint,
      status,
      createdAt,
      updatedAt,
      checkpointId: fromHex(checkpoint),
      leaseUntil: Number.isFinite(leaseUntil) ? leaseUntil : undefined,
      interrupts: fields.get("i"),
      metadata,
      now: Number(now.toString("utf8")),
    };
  }

  /**
   * Drops listing entry `threadHex` of set `key`, unless the record matches
   * it after all when read again (a writer re-added it meanwhile).
   */
  async drop(key: string, threadHex: string, stillListed: (r: StoredThread) => boolean) {
    const { client } = this.connection;
    await this.connection.call("listThreads", () => client.zrem(key, threadHex));
    const again = await this.read(fromHex(threadHex));
    if (again && stillListed(again)) await this.raise(key, threadHex, again.updatedAt);
  }

  /**
   * Sets entry `threadHex`'s score to its record's `updatedAt`: raised when
   * it is behind (never past a newer writer's), else lowered, only if the
   * entry is still there (XX).
   */
  async repair(key: string, threadHex: string, updatedAt: number, score: number) {
    if (updatedAt > score) return this.raise(key, threadHex, updatedAt);
    const { client } = this.connection;
    await this.connection.call("listThreads", () => client.zadd(key, "XX", updatedAt, threadHex));
  }

  // Adds `threadHex` to listing set `key` at `score`, or raises it there (see thread-lua.ts).
  private async raise(key: string, threadHex: string, score: number): Promise<void> {
    const { client } = this.connection;
    await this.connection.call("thread index", () =>
      SCRIPTS.threadRaise.run(client, [key], [String(score), threadHex]),
    );
  }
}
