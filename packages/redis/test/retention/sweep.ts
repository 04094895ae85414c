import { putChain, threadConfig } from "@savepoint/conformance";
import { Command, InvalidArgumentError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { threadIndexKey, threadListKey } from "../../src/index.js";
import { collect } from "../helpers.js";
import { afterIdle, interview, on, putRecorded, type RetentionContext, ttlsOf } from "./context.js";

const HOUR = 3_600_000;
const NOTHING = { deleted: 0, pruned: 0, more: false };

/** sweep({ now }): what it removes, spares and leaves, read back through raw keys. */
export function describeSweep(ctx: RetentionContext): void {
  describe("sweep", () => {
    it('"delete" removes an idle thread whole: its keys, index entries, listings and idle entry', async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const { workflow, name } = interview(saver);
      const t = ctx.thread("delete");
      await workflow.invoke({ questions: ["q"] }, on(t));
      await workflow.invoke(new Command({ resume: "a" }), on(t));
      await putChain(saver, t, 2, { ns: "child:1" });
      const k = storage.keys(t);
      expect(await ctx.client.zscore(storage.idle.writes, k.threadHex)).toBe(
        await ctx.client.hget(k.record, "w"),
      );
      expect(await saver.sweep({ now: Date.now() })).toEqual(NOTHING);
      expect(await saver.sweep({ now: afterIdle(HOUR) })).toEqual({ ...NOTHING, deleted: 1 });
      expect(await ctx.client.exists(...k.all)).toBe(0);
      expect(await ctx.client.zscore(threadIndexKey(storage.prefix), k.threadHex)).toBeNull();
      for (const part of ["all", "done"]) {
        expect(
          await ctx.client.zscore(threadListKey(storage.prefix, name, part), k.threadHex),
        ).toBeNull();
      }
      expect(await ctx.client.zscore(storage.idle.writes, k.threadHex)).toBeNull();
      expect(await ctx.client.hget(storage.idle.workflows, k.threadHex)).toBeNull();
      expect(await workflow.thread(t)).toBeUndefined();
    });

    it('"keep-latest" prunes an idle thread once, until it is written again; keys never expire', async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR, onExpire: "keep-latest" });
      const t = ctx.thread("keep-latest");
      const chain = await putChain(saver, t, 4);
      const k = storage.keys(t);
      expect(new Set(await ttlsOf(ctx.client, k))).toEqual(new Set([-1]));
      const now = afterIdle(HOUR);
      expect(await saver.sweep({ now })).toEqual({ ...NOTHING, pruned: 1 });
      expect(await ctx.client.zcard(k.byNamespace)).toBe(1);
      expect(await ctx.client.zscore(storage.idle.writes, k.threadHex)).toBeNull();
      expect(await saver.sweep({ now: now + HOUR })).toEqual(NOTHING);
      await putChain(saver, t, 2, { parent: chain.at(-1)! });
      expect(await saver.sweep({ now: afterIdle(HOUR) })).toEqual({ ...NOTHING, pruned: 1 });
      expect(await ctx.client.zcard(k.byNamespace)).toBe(1);
    });

    it("spares a thread waiting on an interrupt (its keys have no TTL) unless includeInterrupted", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const { workflow } = interview(saver);
      const waiting = ctx.thread("waiting");
      await workflow.invoke({ questions: ["q"] }, on(waiting));
      const k = storage.keys(waiting);
      // The interrupt write PERSISTed every key of the thread.
      expect(new Set(await ttlsOf(ctx.client, k))).toEqual(new Set([-1]));
      const now = afterIdle(HOUR);
      expect(await saver.sweep({ now })).toEqual(NOTHING);
      // Out of the way of later sweeps, in the waiting set.
      expect(await ctx.client.zscore(storage.idle.writes, k.threadHex)).toBeNull();
      expect(await ctx.client.zscore(storage.idle.waiting, k.threadHex)).not.toBeNull();
      expect(await saver.sweep({ now })).toEqual(NOTHING);
      const strict = storage.saver({ idle: HOUR, includeInterrupted: true });
      expect(await strict.sweep({ now })).toEqual({ ...NOTHING, deleted: 1 });
      expect(await ctx.client.exists(...k.all)).toBe(0);
      expect(await ctx.client.zscore(storage.idle.waiting, k.threadHex)).toBeNull();
    });

    it("a resumed thread gets its key expiry back; with includeInterrupted it never loses it", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const { workflow } = interview(saver);
      const t = ctx.thread("resumed");
      await workflow.invoke({ questions: ["q", "r"] }, on(t));
      await workflow.invoke(new Command({ resume: "a" }), on(t)); // waits on "r" again
      expect(new Set(await ttlsOf(ctx.client, storage.keys(t)))).toEqual(new Set([-1]));
      await workflow.invoke(new Command({ resume: "b" }), on(t)); // done
      const done = await ttlsOf(ctx.client, storage.keys(t));
      expect(done.every((ms) => ms > 0 && ms <= HOUR)).toBe(true);
      const strict = storage.saver({ idle: HOUR, includeInterrupted: true });
      const other = ctx.thread("strict");
      await interview(strict).workflow.invoke({ questions: ["q"] }, on(other));
      const kept = await ttlsOf(ctx.client, storage.keys(other));
      expect(kept.every((ms) => ms > 0)).toBe(true);
    });

    it("never expires a run holding a live lease; once the lease ends, it goes", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const t = ctx.thread("leased");
      const wf = `wf-${t}`;
      const id = await putRecorded(saver, t, {
        entrypoint: wf,
        status: "running",
        lease: { owner: "me", ms: 60_000 },
      });
      // As if a year later: the lease is judged by the real clock too.
      expect(await saver.sweep({ now: Date.now() + 365 * 86_400_000 })).toEqual(NOTHING);
      expect(await ctx.client.exists(storage.keys(t).byId)).toBe(1);
      await putRecorded(
        saver,
        t,
        { entrypoint: wf, status: "running", lease: { owner: "me", ms: 0 } },
        id,
      );
      await new Promise((r) => setTimeout(r, 5));
      expect(await saver.sweep({ now: afterIdle(HOUR) })).toEqual({ ...NOTHING, deleted: 1 });
    });

    it("expires at most limit threads per call, oldest write first, and says when there is more", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const ids = [
        ctx.thread("a"),
        ctx.thread("b"),
        ctx.thread("c"),
        ctx.thread("d"),
        ctx.thread("e"),
      ];
      for (const id of ids) {
        await putChain(saver, id, 1);
        await new Promise((r) => setTimeout(r, 3));
      }
      const now = afterIdle(HOUR);
      expect(await saver.sweep({ now, limit: 2 })).toEqual({ ...NOTHING, deleted: 2, more: true });
      const left = async () =>
        (await Promise.all(ids.map((id) => saver.getTuple(threadConfig(id))))).map(Boolean);
      expect(await left()).toEqual([false, false, true, true, true]);
      expect(await saver.sweep({ now, limit: 2 })).toEqual({ ...NOTHING, deleted: 2, more: true });
      expect(await saver.sweep({ now, limit: 2 })).toEqual({ ...NOTHING, deleted: 1 });
      expect(await left()).toEqual([false, false, false, false, false]);
      expect(await saver.sweep({ now })).toEqual(NOTHING);
    });

    it("two savers on their own clients sweeping at once expire each thread exactly once", async () => {
      const storage = ctx.storage();
      const writer = storage.saver({ idle: HOUR });
      const ids = Array.from({ length: 40 }, (_, i) => ctx.thread(`race-${i}`));
      await Promise.all(ids.map((id) => putChain(writer, id, 2)));
      const [a, b] = [
        await storage.ownSaver({ idle: HOUR }),
        await storage.ownSaver({ idle: HOUR }),
      ];
      const now = afterIdle(HOUR);
      const [x, y] = await Promise.all([a.sweep({ now, limit: 30 }), b.sweep({ now, limit: 30 })]);
      const [x2, y2] = await Promise.all([a.sweep({ now }), b.sweep({ now })]);
      expect(x.deleted + y.deleted + x2.deleted + y2.deleted).toBe(40);
      expect(await ctx.client.zcard(storage.idle.writes)).toBe(0);
      expect(await ctx.client.zcard(threadIndexKey(storage.prefix))).toBe(0);
    });

    it("a thread written after its entry was read is left, and its entry moved up", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const t = ctx.thread("moved");
      await putChain(saver, t, 1);
      const k = storage.keys(t);
      // As a sweeper that selected the thread before its last write sees it.
      const clock = Number(await ctx.client.hget(k.record, "w"));
      await ctx.client.zadd(storage.idle.writes, clock - 5_000, k.threadHex);
      expect(await saver.sweep({ now: afterIdle(HOUR) })).toEqual(NOTHING);
      expect(await ctx.client.exists(k.byId)).toBe(1);
      expect(Number(await ctx.client.zscore(storage.idle.writes, k.threadHex))).toBe(clock);
      expect(await saver.sweep({ now: afterIdle(HOUR) })).toEqual({ ...NOTHING, deleted: 1 });
    });

    it("cleans what Redis expired: the thread index, the listings and the idle entry", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: HOUR });
      const t = ctx.thread("vanished");
      const wf = `wf-${t}`;
      await putRecorded(saver, t, { entrypoint: wf, status: "done" });
      const k = storage.keys(t);
      await ctx.client.del(...k.all); // as if its keys had expired
      expect(await saver.sweep({ now: afterIdle(HOUR) })).toEqual(NOTHING);
      expect(await ctx.client.zscore(threadIndexKey(storage.prefix), k.threadHex)).toBeNull();
      for (const part of ["all", "done"]) {
        expect(
          await ctx.client.zscore(threadListKey(storage.prefix, wf, part), k.threadHex),
        ).toBeNull();
      }
      expect(await ctx.client.zscore(storage.idle.writes, k.threadHex)).toBeNull();
      expect(await ctx.client.hget(storage.idle.workflows, k.threadHex)).toBeNull();
    });

    it("sweeps nothing without a ttl; bad limits and times are InvalidArgumentError", async () => {
      const storage = ctx.storage();
      const plain = storage.saver();
      const t = ctx.thread("plain");
      await putChain(plain, t, 2);
      expect(await plain.sweep({ now: afterIdle(HOUR) })).toEqual(NOTHING);
      expect(await ctx.client.exists(storage.idle.writes)).toBe(0);
      const saver = storage.saver({ idle: HOUR });
      for (const options of [{ limit: 0 }, { limit: 1.5 }, { limit: -1 }, { now: Number.NaN }]) {
        await expect(saver.sweep(options)).rejects.toThrow(InvalidArgumentError);
        await expect(plain.sweep(options)).rejects.toThrow(InvalidArgumentError);
      }
      expect(await collect(plain.list(threadConfig(t)))).toHaveLength(2);
    });
  });
}
