import { putChain, threadConfig } from "@savepoint/conformance";
import { InvalidArgumentError, type ThreadTtl } from "@savepoint/core";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { RedisSaver, threadIndexKey, threadListKey } from "../../src/index.js";
import { collect } from "../helpers.js";
import { interview, on, putRecorded, type RetentionContext, ttlsOf } from "./context.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Key expiry with a short idle, the older `{ seconds }` spelling, and bad ttls. */
export function describeExpiry(ctx: RetentionContext): void {
  describe("key expiry", () => {
    it("with a 300 ms idle the thread's keys expire by themselves; listings stop showing it", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: 300 });
      const t = ctx.thread("short");
      const wf = `wf-${t}`;
      await putRecorded(saver, t, { entrypoint: wf, status: "done" });
      await putChain(saver, t, 1, { ns: "child:1" });
      const k = storage.keys(t);
      const ttls = await ttlsOf(ctx.client, k);
      expect(ttls.length).toBeGreaterThan(0);
      expect(ttls.every((ms) => ms > 0 && ms <= 300)).toBe(true);
      expect(
        (await saver.listThreads({ entrypoint: wf, limit: 10 })).map((r) => r.threadId),
      ).toEqual([t]);
      for (let i = 0; i < 40 && (await ctx.client.exists(...k.all)) > 0; i++) await sleep(25);
      expect(await ctx.client.exists(...k.all)).toBe(0);
      expect(await saver.getTuple(threadConfig(t))).toBeUndefined();
      expect(await saver.listThreads({ entrypoint: wf, limit: 10 })).toEqual([]);
      expect(await saver.listThreads({ entrypoint: wf, threadId: t, limit: 1 })).toEqual([]);
      // A sweep then cleans what is left beside the thread.
      expect(await saver.sweep()).toEqual({ deleted: 0, pruned: 0, more: false });
      expect(await ctx.client.zscore(threadIndexKey(storage.prefix), k.threadHex)).toBeNull();
      expect(
        await ctx.client.zscore(threadListKey(storage.prefix, wf, "all"), k.threadHex),
      ).toBeNull();
      expect(await ctx.client.zcard(storage.idle.writes)).toBe(0);
      expect(await collect(saver.list({}))).toEqual([]);
    });

    it("an interrupted thread outlives a short idle; its keys have no TTL", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: 300 });
      const { workflow } = interview(saver);
      const t = ctx.thread("waits");
      await workflow.invoke({ questions: ["q"] }, on(t));
      const k = storage.keys(t);
      for (const key of k.all) {
        if (await ctx.client.exists(key)) expect(await ctx.client.pttl(key)).toBe(-1);
      }
      await sleep(500);
      expect((await workflow.getState(on(t))).interrupts).toHaveLength(1);
      expect((await workflow.thread(t))?.status).toBe("interrupted");
    });

    it("the older { seconds } spelling is a delete ttl: one deadline for every key, reads refresh only when asked", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ seconds: 60, refreshOnRead: true });
      const t = ctx.thread("seconds");
      await putChain(saver, t, 1);
      const k = storage.keys(t);
      const deadlines = await Promise.all(k.all.map((key) => ctx.client.pexpiretime(key)));
      const set = new Set(deadlines.filter((d) => d !== -2));
      expect(set.size).toBe(1);
      const [deadline] = [...set];
      expect(deadline! - Date.now()).toBeGreaterThan(55_000);
      await sleep(20);
      await saver.getTuple(threadConfig(t));
      expect(await ctx.client.pexpiretime(k.byId)).toBeGreaterThan(deadline!);
    });

    it("a bad ttl is InvalidArgumentError from the constructor", () => {
      const client = new Redis({ lazyConnect: true });
      try {
        const bad: unknown[] = [
          { idle: 0 },
          { idle: "soon" },
          { idle: "30d", onExpire: "archive" },
          { idle: "30d", includeInterrupted: "yes" },
          { seconds: -1 },
          { seconds: 10, idle: "10s" },
          "30d",
        ];
        for (const ttl of bad) {
          expect(
            () => new RedisSaver(client, { ttl: ttl as ThreadTtl }),
            JSON.stringify(ttl),
          ).toThrow(InvalidArgumentError);
        }
        expect(
          () => new RedisSaver(client, { ttl: { idle: "30d", onExpire: "keep-latest" } }),
        ).not.toThrow();
      } finally {
        client.disconnect();
      }
    });
  });
}
