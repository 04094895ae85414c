import type { SweepResult } from "@savepoint/core";
import { expect, it } from "vitest";
import { putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { openGate } from "../threads/context.js";
import {
  afterIdle,
  choreWorkflow,
  configFor,
  idsIn,
  pause,
  type RetainingSaver,
  type RetentionContext,
  retaining,
} from "./context.js";

// Long enough that no thread really idles out while a test runs (a store
// may expire keys on its own clock), short enough that a run holding a
// default 30 s lease is still within it at the sweep's `now`, on the
// storage's clock or the one sweep was given.
const IDLE_MS = 10_000;

/** Sweeping next to live runs, in bounded batches, and with many sweepers at once. */
export function sweeperTests({ h, isolated }: RetentionContext): void {
  it("a run holding a live lease is never expired; once it ends and idles, it is", async (ctx) => {
    const storage = await isolated(ctx);
    const saver = retaining(await storage.create({ ttl: { idle: IDLE_MS } }));
    const { workflow } = choreWorkflow(saver);
    const threadId = h.threadId("live");
    const gateName = `sweep-${threadId}`;
    const run = workflow.invoke({ label: "slow", hold: gateName }, configFor(threadId));
    try {
      // The run has claimed its thread (its first checkpoint) and waits on the gate.
      for (let i = 0; i < 250 && (await idsIn(saver, threadId)).length === 0; i++) await pause(20);
      expect(await idsIn(saver, threadId)).toHaveLength(1);
      if (saver.capabilities?.threads)
        expect((await workflow.thread(threadId))?.status).toBe("running");
      expect(await saver.sweep({ now: afterIdle(IDLE_MS) })).toEqual({
        deleted: 0,
        pruned: 0,
        more: false,
      });
      expect(await idsIn(saver, threadId)).toHaveLength(1);
    } finally {
      openGate(gateName);
    }
    expect(await run).toEqual({ result: "done: slow" });
    expect(await saver.sweep({ now: afterIdle(IDLE_MS) })).toEqual({
      deleted: 1,
      pruned: 0,
      more: false,
    });
    expect(await saver.getTuple(threadConfig(threadId))).toBeUndefined();
  });

  it("sweep({ limit }) expires at most limit threads, oldest idle first, and says when there is more", async (ctx) => {
    const storage = await isolated(ctx);
    const saver = retaining(await storage.create({ ttl: { idle: IDLE_MS } }));
    const threads = Array.from({ length: 5 }, (_, i) => h.threadId(`limit${i}`));
    for (const id of threads) {
      await putChain(saver, id, 1);
      // Their last writes apart, so "oldest first" has one answer on any clock.
      await pause(30);
    }
    const now = afterIdle(IDLE_MS);
    const left = async () => {
      const out: string[] = [];
      for (const id of threads) if ((await idsIn(saver, id)).length > 0) out.push(id);
      return out;
    };
    expect(await saver.sweep({ limit: 2, now })).toEqual({ deleted: 2, pruned: 0, more: true });
    expect(await left()).toEqual(threads.slice(2));
    expect(await saver.sweep({ limit: 2, now })).toEqual({ deleted: 2, pruned: 0, more: true });
    expect(await left()).toEqual(threads.slice(4));
    expect(await saver.sweep({ limit: 2, now })).toEqual({ deleted: 1, pruned: 0, more: false });
    expect(await left()).toEqual([]);
    expect(await saver.sweep({ limit: 2, now })).toEqual({ deleted: 0, pruned: 0, more: false });
  });

  it("two savers sweeping one storage at once expire each thread exactly once", async (ctx) => {
    const storage = await isolated(ctx);
    const ttl = { idle: IDLE_MS };
    const a = retaining(await storage.create({ ttl }));
    const b = retaining(await storage.create({ ttl }));
    const threads = Array.from({ length: 24 }, (_, i) => h.threadId(`race${i}`));
    for (const [i, id] of threads.entries()) await putChain(i % 2 ? a : b, id, 1 + (i % 3));
    const now = afterIdle(IDLE_MS);
    // Each sweeps in small batches until it finds no more, both at the same time.
    const drain = async (saver: RetainingSaver) => {
      const total: SweepResult = { deleted: 0, pruned: 0, more: true };
      while (total.more) {
        const result = await saver.sweep({ limit: 5, now });
        total.deleted += result.deleted;
        total.pruned += result.pruned;
        total.more = result.more;
      }
      return total;
    };
    const [fromA, fromB] = await Promise.all([drain(a), drain(b)]);
    expect(fromA.deleted + fromB.deleted).toBe(threads.length);
    expect(fromA.pruned + fromB.pruned).toBe(0);
    for (const id of threads) expect(await a.getTuple(threadConfig(id))).toBeUndefined();
    expect(await b.sweep({ now })).toEqual({ deleted: 0, pruned: 0, more: false });
  });

  it("two keep-latest sweepers prune each idle thread once", async (ctx) => {
    const storage = await isolated(ctx);
    const ttl = { idle: IDLE_MS, onExpire: "keep-latest" as const };
    const a = retaining(await storage.create({ ttl }));
    const b = retaining(await storage.create({ ttl }));
    const threads = Array.from({ length: 12 }, (_, i) => h.threadId(`prune${i}`));
    for (const id of threads) await putChain(a, id, 4);
    const now = afterIdle(IDLE_MS);
    const [fromA, fromB] = await Promise.all([a.sweep({ now }), b.sweep({ now })]);
    expect(fromA.pruned + fromB.pruned).toBe(threads.length);
    expect(fromA.deleted + fromB.deleted).toBe(0);
    for (const id of threads) expect(await idsIn(b, id)).toHaveLength(1);
  });
}
