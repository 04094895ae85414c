// The ttl sweep as this saver stores it: idle clocks on the head rows, read
// and set through a raw probe, so that time is injected (`sweep({ now })`
// or a clock set in the past) and no test waits for a ttl to pass.
import {
  InvalidArgumentError,
  StorageError,
  type SweepResult,
  type ThreadUpdate,
} from "@savepoint/core";
import { describe, expect, it, vi } from "vitest";
import { keyOf } from "../src/identifiers.js";
import { CLOCK_GRAIN_MS } from "../src/idle-clocks.js";
import {
  history,
  type IsolatedSchema,
  ids,
  orphansOf,
  type RetentionCaseContext,
  rowsOf,
} from "./retention-cases.js";
import { checkpoint, meta, threadId } from "./saver-cases.js";

const HOUR = 3_600_000;
const NOTHING: SweepResult = { deleted: 0, pruned: 0, more: false };
const GONE = { checkpoints: 0, writes: 0, channel_values: 0, heads: 0, threads: 0 };

/** Sets every idle clock of `thread` to `ms` (null: cleared, as keep-latest leaves it). */
async function setClock(db: IsolatedSchema, thread: string, ms: number | null) {
  await db.raw(`UPDATE ${db.schema}.heads SET last_write_at = $2 WHERE thread_key = $1`, [
    keyOf(thread),
    ms,
  ]);
}

async function clocks(db: IsolatedSchema, thread: string): Promise<(number | null)[]> {
  const rows = await db.raw(
    `SELECT last_write_at::float8 AS at FROM ${db.schema}.heads WHERE thread_key = $1 ORDER BY ns_key`,
    [keyOf(thread)],
  );
  return rows.map((r) => r.at as number | null);
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const running = (ms: number): ThreadUpdate => ({
  entrypoint: "sweeps",
  status: "running",
  lease: { owner: "run-1", ms },
});

export function describeSweepCases(label: string, ctx: RetentionCaseContext): void {
  describe(`${label}: ttl sweep`, () => {
    it("deletes idle threads entirely (every table, every namespace, the record), never fresh ones", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make({ ttl: { idle: "1h" } });
        const [idle, fresh] = [threadId("idle"), threadId("fresh")];
        const configs = await history(saver, idle, 3);
        await history(saver, idle, 2, "child:1");
        await saver.putWrites(configs.at(-1)!, [["out", 1]], "t");
        await saver.put(
          configs.at(-1)!,
          checkpoint({}, configs.at(-1)!.configurable!.checkpoint_id),
          meta(),
          {},
          {
            thread: { entrypoint: "sweeps", status: "done" },
          },
        );
        await history(saver, fresh, 1);
        const now = Date.now() + 2 * HOUR;
        // A write within the hour keeps a thread, whatever its namespace.
        await setClock(db, fresh, now - HOUR + 60_000);
        expect(await saver.sweep({ now: now - 2 * HOUR })).toEqual(NOTHING);
        expect(await saver.sweep({ now })).toEqual({ deleted: 1, pruned: 0, more: false });
        expect(await rowsOf(db, idle)).toEqual(GONE);
        expect(await saver.listThreads({ entrypoint: "sweeps", limit: 10 })).toEqual([]);
        expect(await ids(saver, fresh)).toHaveLength(1);
        expect(await saver.sweep({ now })).toEqual(NOTHING);
        // Without a ttl, nothing expires.
        expect(await db.make().sweep({ now: now + 1_000 * HOUR })).toEqual(NOTHING);
      } finally {
        await db.destroy();
      }
    });

    it('"keep-latest" prunes an idle thread once, clears its clock, and again after its next write', async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make({ ttl: { idle: HOUR, onExpire: "keep-latest" } });
        const thread = threadId("keep");
        const configs = await history(saver, thread, 4);
        const now = Date.now() + 2 * HOUR;
        expect(await saver.sweep({ now })).toEqual({ deleted: 0, pruned: 1, more: false });
        expect(await ids(saver, thread)).toEqual([configs.at(-1)!.configurable!.checkpoint_id]);
        expect(await orphansOf(db, thread)).toEqual({ values: 0, writes: 0 });
        expect(await clocks(db, thread)).toEqual([null]);
        expect(await saver.sweep({ now: now + 100 * HOUR })).toEqual(NOTHING);
        // A task write starts the clock again (a cleared clock is always refreshed).
        await saver.putWrites(configs.at(-1)!, [["out", 1]], "t");
        expect((await clocks(db, thread))[0]).toBeGreaterThan(Date.now() - 60_000);
        await saver.put(
          configs.at(-1)!,
          checkpoint({}, configs.at(-1)!.configurable!.checkpoint_id),
          meta(),
          {},
        );
        expect(await saver.sweep({ now: Date.now() + 2 * HOUR })).toEqual({
          deleted: 0,
          pruned: 1,
          more: false,
        });
        expect(await ids(saver, thread)).toHaveLength(1);
      } finally {
        await db.destroy();
      }
    });

    it("leaves a thread waiting on an interrupt and a live lease; a stalled lease expires", async () => {
      const db = await ctx.isolated();
      try {
        const ttl = { idle: HOUR };
        const saver = db.make({ ttl });
        const [waiting, live, stalled] = [
          threadId("waiting"),
          threadId("live"),
          threadId("stalled"),
        ];
        const [w] = await history(saver, waiting, 1);
        await saver.putWrites(w!, [["__interrupt__", [{ id: "i-1", value: "ok?" }]]], "0:ask");
        for (const [id, ms] of [
          [live, 600_000],
          [stalled, 1],
        ] as const) {
          const cp = checkpoint({ step: 1 });
          await saver.put({ configurable: { thread_id: id } }, cp, meta(), cp.channel_versions, {
            ifHead: null,
            thread: running(ms),
          });
        }
        // Leases are compared with the database's real clock (a lease means a
        // run is alive now), so let the 1 ms one end for real first.
        await new Promise((resolve) => setTimeout(resolve, 25));
        const now = Date.now() + 1_000 * HOUR;
        expect(await saver.sweep({ now })).toEqual({ deleted: 1, pruned: 0, more: false });
        expect(await rowsOf(db, stalled)).toEqual(GONE);
        expect((await rowsOf(db, live)).checkpoints).toBe(1);
        expect((await rowsOf(db, waiting)).checkpoints).toBe(1);
        const including = db.make({ ttl: { ...ttl, includeInterrupted: true } });
        expect(await including.sweep({ now })).toEqual({ deleted: 1, pruned: 0, more: false });
        expect(await rowsOf(db, waiting)).toEqual(GONE);
        expect((await rowsOf(db, live)).checkpoints).toBe(1);
      } finally {
        await db.destroy();
      }
    });

    it("expires at most limit threads per call, oldest idle first, and says when there is more", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make({ ttl: { idle: HOUR } });
        const threads = Array.from({ length: 7 }, (_, i) => threadId(`limit${i}`));
        const base = Date.now() - 10 * HOUR;
        // Clocks set apart (and in reverse of the order written), so the order has one answer.
        for (const [i, id] of threads.entries()) {
          await history(saver, id, 1 + (i % 2), i % 3 === 0 ? "child:1" : "");
          await setClock(db, id, base - i * 1_000);
        }
        const left = async () => {
          const out: string[] = [];
          for (const id of threads) if (((await rowsOf(db, id)).checkpoints ?? 0) > 0) out.push(id);
          return out;
        };
        expect(await saver.sweep({ limit: 3 })).toEqual({ deleted: 3, pruned: 0, more: true });
        expect(await left()).toEqual(threads.slice(0, 4));
        expect(await saver.sweep({ limit: 3 })).toEqual({ deleted: 3, pruned: 0, more: true });
        expect(await saver.sweep({ limit: 3 })).toEqual({ deleted: 1, pruned: 0, more: false });
        expect(await left()).toEqual([]);
      } finally {
        await db.destroy();
      }
    });

    it("many savers sweeping at once expire each thread once: the counts add up", async () => {
      const db = await ctx.isolated();
      try {
        const ttl = { idle: HOUR };
        const savers = [db.make({ ttl }), db.make({ ttl }), db.make({ ttl })];
        const threads = Array.from({ length: 60 }, (_, i) => threadId(`race${i}`));
        for (const [i, id] of threads.entries()) await history(savers[i % 3]!, id, 1 + (i % 3));
        const now = Date.now() + 2 * HOUR;
        const drain = async (saver: (typeof savers)[number]) => {
          let deleted = 0;
          for (let more = true; more; ) {
            const result = await saver.sweep({ limit: 7, now });
            deleted += result.deleted;
            more = result.more;
          }
          return deleted;
        };
        const counts = await Promise.all(savers.map(drain));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(threads.length);
        for (const id of threads) expect(await rowsOf(db, id)).toEqual(GONE);
      } finally {
        await db.destroy();
      }
    });

    it("a thread written after the sweep picked it, before it locked it, survives", async (test) => {
      const db = await ctx.isolated();
      try {
        if (!db.hold) return test.skip("needs a second connection (a server)");
        const saver = db.make({ ttl: { idle: 1_000 } });
        const [written, idle] = [threadId("written"), threadId("idle")];
        await history(saver, written, 2);
        await history(saver, idle, 2);
        for (const id of [written, idle]) await setClock(db, id, Date.now() - HOUR);
        const name = db.schema.slice(1, -1);
        let sweeping: Promise<SweepResult> | undefined;
        await db.hold(async (query) => {
          // A put under way: its head row changed, its clock fresh, not yet committed.
          await query(
            `UPDATE ${db.schema}.heads SET last_write_at = (extract(epoch from clock_timestamp()) * 1000)::bigint WHERE thread_key = $1`,
            [keyOf(written)],
          );
          sweeping = saver.sweep();
          // The sweep picked both (the write is not committed) and waits on the head row.
          await eventually(async () => {
            const [row] = await db.raw(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%' AND position($1 IN query) > 0`,
              [name],
            );
            return row?.n === 1;
          }, "the sweep to wait on the head row");
        });
        expect(await sweeping).toEqual({ deleted: 1, pruned: 0, more: false });
        expect(await rowsOf(db, idle)).toEqual(GONE);
        expect(await ids(saver, written)).toHaveLength(2);
      } finally {
        await db.destroy();
      }
    });

    it("writes refresh the idle clock, reads only with refreshOnRead", async () => {
      const db = await ctx.isolated();
      try {
        const plain = db.make({ ttl: { idle: HOUR } });
        const refreshing = db.make({ ttl: { idle: HOUR, refreshOnRead: true } });
        const thread = threadId("clock");
        const [config] = await history(plain, thread, 1);
        const old = Date.now() - HOUR;
        const recent = (at: number | null) => at !== null && at > Date.now() - 60_000;
        await setClock(db, thread, old);
        await plain.getTuple(config!);
        expect(await clocks(db, thread)).toEqual([old]);
        await refreshing.getTuple(config!);
        expect(recent((await clocks(db, thread))[0]!)).toBe(true);
        // A write by a saver that has not set the clock lately refreshes it
        // (`plain` set it with its put moments ago: see the next test).
        await setClock(db, thread, old);
        await db.make({ ttl: { idle: HOUR } }).putWrites(config!, [["a", 1]], "t");
        expect(recent((await clocks(db, thread))[0]!)).toBe(true);
        // A clock fresher than the grain is left as it is: no row changes.
        const fresh = Date.now() + 10 * CLOCK_GRAIN_MS;
        await setClock(db, thread, fresh);
        await db.make({}).putWrites(config!, [["b", 1]], "t");
        expect(await clocks(db, thread)).toEqual([fresh]);
        // A lease renewal (a putWrites without writes) is not a write.
        await setClock(db, thread, old);
        await plain.putWrites(config!, [], "t", "", { thread: running(1_000) });
        expect(await clocks(db, thread)).toEqual([old]);
      } finally {
        await db.destroy();
      }
    });

    it("a task write within the grain after this saver set the clock sends no refresh", async () => {
      const db = await ctx.isolated();
      try {
        // The saver's memory of when it set a clock reads Date.now(): frozen
        // here and moved by hand, so no step depends on how fast it runs.
        vi.useFakeTimers({ toFake: ["Date"] });
        const plain = db.make({ ttl: { idle: HOUR } });
        const thread = threadId("window");
        const [config] = await history(plain, thread, 1);
        const old = Date.now() - HOUR;
        const recent = (at: number | null) => at !== null && at > Date.now() - 60_000;
        const writeAndRead = async (saver: ReturnType<IsolatedSchema["make"]>, value: string) => {
          await setClock(db, thread, old);
          await saver.putWrites(config!, [[value, 1]], "t");
          return (await clocks(db, thread))[0]!;
        };
        // `plain` set the clock with its put: its writes within the grain leave it.
        expect(await writeAndRead(plain, "a")).toBe(old);
        vi.setSystemTime(Date.now() + CLOCK_GRAIN_MS - 1);
        expect(await writeAndRead(plain, "b")).toBe(old);
        // Once the grain has passed, its next write refreshes it, and starts a new window.
        vi.setSystemTime(Date.now() + 1);
        expect(recent(await writeAndRead(plain, "c"))).toBe(true);
        expect(await writeAndRead(plain, "d")).toBe(old);
        // A write whose refresh the database skipped (the clock was fresh:
        // another saver set it) starts no window: the next write sends one.
        const other = db.make({ ttl: { idle: HOUR } });
        const fresh = Date.now() + 10 * CLOCK_GRAIN_MS;
        await setClock(db, thread, fresh);
        await other.putWrites(config!, [["e", 1]], "t");
        expect(await clocks(db, thread)).toEqual([fresh]);
        expect(recent(await writeAndRead(other, "f"))).toBe(true);
        // Its own sweep may clear clocks (keep-latest): after one, its next write refreshes.
        await setClock(db, thread, old);
        await plain.sweep({ now: 0 });
        await plain.putWrites(config!, [["h", 1]], "t");
        expect(recent((await clocks(db, thread))[0]!)).toBe(true);
        // So does its prune of the thread.
        await setClock(db, thread, old);
        await plain.prune([thread], { keep: "latest" });
        await plain.putWrites(config!, [["i", 1]], "t");
        expect(recent((await clocks(db, thread))[0]!)).toBe(true);
      } finally {
        vi.useRealTimers();
        await db.destroy();
      }
    });

    it("refuses a bad ttl, limit or now, and sweepers without a ttl or with bad options", async () => {
      const db = await ctx.isolated();
      try {
        for (const ttl of [
          { idle: 0 },
          { idle: "3 weeks" },
          { idle: "1h", onExpire: "archive" },
          "30d",
          null,
        ]) {
          expect(() => db.make({ ttl } as never)).toThrow(InvalidArgumentError);
        }
        const saver = db.make({ ttl: { idle: "1h" } });
        for (const options of [
          { limit: 0 },
          { limit: 2.5 },
          { limit: "10" },
          { now: Number.NaN },
        ]) {
          await expect(saver.sweep(options as never)).rejects.toBeInstanceOf(InvalidArgumentError);
        }
        expect(() => db.make().startSweeper({ everyMs: 1_000 })).toThrow(/no ttl/);
        for (const options of [
          { everyMs: 0 },
          { everyMs: "1m" },
          { everyMs: 10, limit: 0 },
          undefined,
        ]) {
          expect(() => saver.startSweeper(options as never)).toThrow(InvalidArgumentError);
        }
      } finally {
        await db.destroy();
      }
    });

    it("startSweeper sweeps on its interval until stopped, reports errors, and close() stops it", async () => {
      const db = await ctx.isolated();
      try {
        const saver = db.make({ ttl: { idle: 1 } });
        const thread = threadId("swept");
        await history(saver, thread, 2);
        const results: SweepResult[] = [];
        const sweeper = saver.startSweeper({ everyMs: 5, onSweep: (r) => results.push(r) });
        await eventually(async () => (await rowsOf(db, thread)).checkpoints === 0, "the sweeper");
        await sweeper.stop();
        expect(results.reduce((n, r) => n + r.deleted, 0)).toBe(1);
        const seen = results.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(results.length).toBe(seen);
        // Errors go to onError and the sweeper keeps its schedule; close() stops it.
        const failing = db.make({ ttl: { idle: 1 } });
        await failing.setup();
        const errors: unknown[] = [];
        failing.startSweeper({ everyMs: 5, onError: (e) => errors.push(e) });
        await db.raw(`DROP TABLE ${db.schema}.threads CASCADE`);
        await eventually(async () => errors.length >= 2, "two reported errors");
        expect(errors[0]).toBeInstanceOf(StorageError);
        await failing.close();
        const reported = errors.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(errors.length).toBe(reported);
      } finally {
        await db.destroy();
      }
    });
  });
}
