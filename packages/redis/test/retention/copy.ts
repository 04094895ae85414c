import { putChain, threadConfig } from "@savepoint/conformance";
import { Command, InvalidArgumentError, InvalidIdentifierError } from "@savepoint/core";
import type { Cluster } from "ioredis";
import { describe, expect, it } from "vitest";
import { threadIndexKey, threadListKey } from "../../src/index.js";
import { collect } from "../helpers.js";
import { interview, on, putRecorded, type RetentionContext, ttlsOf } from "./context.js";

/** copyThread and deleteThread, read back through raw keys. */
export function describeCopy(ctx: RetentionContext): void {
  describe("copyThread", () => {
    it("copies every key's content into the new thread's slot; the two then diverge", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: 3_600_000 });
      const { workflow, name } = interview(saver);
      const [from, to] = [ctx.thread("from"), ctx.thread("to")];
      await workflow.invoke({ questions: ["q", "r"] }, on(from));
      await putChain(saver, from, 2, { ns: "child:1" });
      await saver.copyThread(from, to);
      const [a, b] = [storage.keys(from), storage.keys(to)];
      if (ctx.client.isCluster) {
        const slot = (key: string) => (ctx.client as Cluster).cluster("KEYSLOT", key);
        expect(await slot(b.byId)).toBe(await slot(b.record));
      }
      for (const part of ["byNamespace", "byId", "writeIndex"] as const) {
        expect(await ctx.client.zrange(b[part], 0, -1)).toEqual(
          await ctx.client.zrange(a[part], 0, -1),
        );
      }
      for (const part of ["checkpoints", "metadata", "writes", "channelValues"] as const) {
        expect(await ctx.client.hgetallBuffer(b[part])).toEqual(
          await ctx.client.hgetallBuffer(a[part]),
        );
      }
      const [ra, rb] = [await ctx.client.hgetall(a.record), await ctx.client.hgetall(b.record)];
      expect(rb).toMatchObject({ e: ra.e, s: "interrupted", k: ra.k, x: ra.x });
      expect(Number(rb.u)).toBeGreaterThanOrEqual(Number(ra.u));
      // The copy waits on the same interrupt: its keys are spared too.
      expect(new Set(await ttlsOf(ctx.client, b))).toEqual(new Set([-1]));
      // Indexed and listed like any thread, and tracked by the idle clock.
      expect(await ctx.client.zscore(threadIndexKey(storage.prefix), b.threadHex)).toBe("0");
      expect(
        await ctx.client.zscore(threadListKey(storage.prefix, name, "interrupted"), b.threadHex),
      ).toBe(rb.u);
      expect(await ctx.client.zscore(storage.idle.writes, b.threadHex)).toBe(rb.w);
      const copied = await collect(saver.list({}));
      expect(new Set(copied.map((c) => c.config.configurable?.thread_id))).toEqual(
        new Set([from, to]),
      );
      // Diverge: each answers on its own.
      await workflow.invoke(new Command({ resume: "for the copy" }), on(to));
      expect((await workflow.getState(on(from))).interrupts).toHaveLength(1);
      expect((await collect(saver.list(threadConfig(to)))).length).toBeGreaterThan(
        (await collect(saver.list(threadConfig(from)))).length,
      );
      await saver.deleteThread(from);
      expect((await workflow.getState(on(to))).interrupts).toHaveLength(1);
    });

    it("refuses a source with nothing and a target with anything, as typed errors naming them", async () => {
      const storage = ctx.storage();
      const saver = storage.saver();
      const source = ctx.thread("source");
      const taken = ctx.thread("taken");
      const writesOnly = ctx.thread("writes-only");
      const missing = ctx.thread("missing");
      await putChain(saver, source, 2);
      await putChain(saver, taken, 1, { ns: "child:1" });
      // Writes without a checkpoint are "anything" too: never merged into.
      await saver.putWrites(threadConfig(writesOnly, "", "c1"), [["w", 1]], "task");
      const refused = saver.copyThread(missing, ctx.thread("new"));
      await expect(refused).rejects.toThrow(InvalidArgumentError);
      await expect(refused).rejects.toThrow(/has no checkpoints to copy/);
      for (const target of [taken, writesOnly, source]) {
        const merge = saver.copyThread(source, target);
        await expect(merge).rejects.toThrow(InvalidArgumentError);
        await expect(merge).rejects.toThrow(target);
        await expect(merge).rejects.toThrow(/delete it first or choose a new id/);
      }
      expect(await ctx.client.zcard(storage.keys(taken).byNamespace)).toBe(1);
      for (const [a, b] of [
        ["", source],
        [source, ""],
        [7, source],
        [source, null],
      ]) {
        await expect(saver.copyThread(a as string, b as string)).rejects.toThrow(
          InvalidIdentifierError,
        );
      }
    });

    it("a copied running record holds no lease: it lists as stalled", async () => {
      const storage = ctx.storage();
      const saver = storage.saver();
      const [from, to] = [ctx.thread("running"), ctx.thread("running-copy")];
      const wf = `wf-${from}`;
      await putRecorded(saver, from, {
        entrypoint: wf,
        status: "running",
        lease: { owner: "me", ms: 60_000 },
      });
      await saver.copyThread(from, to);
      const rows = await saver.listThreads({ entrypoint: wf, limit: 10 });
      const status = Object.fromEntries(rows.map((r) => [r.threadId, r.status]));
      expect(status).toEqual({ [from]: "running", [to]: "stalled" });
      expect(await ctx.client.hget(storage.keys(to).record, "o")).toBeNull();
    });
  });

  describe("deleteThread", () => {
    it("removes every namespace, the record, the index, listing and idle entries", async () => {
      const storage = ctx.storage();
      const saver = storage.saver({ idle: 3_600_000 });
      const { workflow, name } = interview(saver);
      const t = ctx.thread("delete");
      await workflow.invoke({ questions: ["q"] }, on(t));
      await putChain(saver, t, 2, { ns: "child:1" });
      await putChain(saver, t, 1, { ns: "child:1|grand:2" });
      const k = storage.keys(t);
      // Spared, so its entry is in the waiting set as well as (after a write) the first.
      await saver.sweep({ now: Date.now() + 7_200_000 });
      await putChain(saver, t, 1, { ns: "child:2" });
      await saver.deleteThread(t);
      expect(await ctx.client.exists(...k.all)).toBe(0);
      expect(await ctx.client.zscore(threadIndexKey(storage.prefix), k.threadHex)).toBeNull();
      for (const part of ["all", "interrupted"]) {
        expect(
          await ctx.client.zscore(threadListKey(storage.prefix, name, part), k.threadHex),
        ).toBeNull();
      }
      for (const set of [storage.idle.writes, storage.idle.waiting]) {
        expect(await ctx.client.zscore(set, k.threadHex)).toBeNull();
      }
      expect(await ctx.client.hget(storage.idle.workflows, k.threadHex)).toBeNull();
      expect(await workflow.thread(t)).toBeUndefined();
    });
  });
}
