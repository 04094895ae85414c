import { Command, InvalidArgumentError, type SweepOptions, type ThreadTtl } from "@savepoint/core";
import { expect, it } from "vitest";
import { putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import {
  afterIdle,
  choreWorkflow,
  configFor,
  expectThreadGone,
  idsIn,
  interviewWorkflow,
  pause,
  type RetentionContext,
  retaining,
} from "./context.js";

const TEN_MINUTES = 600_000;
const NOTHING = { deleted: 0, pruned: 0, more: false };

/** A ttl applied by sweep({ now }): delete, keep-latest, interrupted threads, the idle clock, bad options. */
export function expiryTests({ h, isolated }: RetentionContext): void {
  it("a saver without a ttl sweeps nothing", async (ctx) => {
    const storage = await isolated(ctx);
    const saver = retaining(await storage.create());
    const threadId = h.threadId("no-ttl");
    await putChain(saver, threadId, 2);
    expect(await saver.sweep()).toEqual(NOTHING);
    expect(await saver.sweep({ now: Date.now() + 10 * 365 * 86_400_000 })).toEqual(NOTHING);
    expect(await idsIn(saver, threadId)).toHaveLength(2);
  });

  it('onExpire "delete" removes an idle thread: every namespace, its record, its listings', async (ctx) => {
    const storage = await isolated(ctx);
    const saver = retaining(await storage.create({ ttl: { idle: "10m" } }));
    const { workflow } = choreWorkflow(saver);
    const idle = h.threadId("idle");
    await workflow.invoke({ label: "a" }, configFor(idle));
    await putChain(saver, idle, 2, { ns: "child:1" });
    // Not idle yet at the real time: nothing expires.
    expect(await saver.sweep()).toEqual(NOTHING);
    const now = afterIdle(TEN_MINUTES);
    expect(await saver.sweep({ now })).toEqual({ deleted: 1, pruned: 0, more: false });
    await expectThreadGone(saver, idle, ["", "child:1"], workflow);
    expect(await saver.sweep({ now })).toEqual(NOTHING);
  });

  it('onExpire "keep-latest" prunes an idle thread to its head, once until it is written again', async (ctx) => {
    const storage = await isolated(ctx);
    const saver = retaining(
      await storage.create({ ttl: { idle: TEN_MINUTES, onExpire: "keep-latest" } }),
    );
    const { workflow } = interviewWorkflow(saver);
    const threadId = h.threadId("keep-latest");
    for (const answer of ["one", "two"]) {
      await workflow.invoke({ questions: ["q"] }, configFor(threadId));
      await workflow.invoke(new Command({ resume: answer }), configFor(threadId));
    }
    const ids = await idsIn(saver, threadId);
    expect(ids.length).toBeGreaterThan(2);
    const state = await workflow.getState(configFor(threadId));
    const now = afterIdle(TEN_MINUTES);
    expect(await saver.sweep({ now })).toEqual({ deleted: 0, pruned: 1, more: false });
    expect(await idsIn(saver, threadId)).toEqual([ids[0]]);
    expectSameValue(await workflow.getState(configFor(threadId)), state, "getState");
    // Already pruned: the next sweep leaves it alone, as it does at a later time.
    expect(await saver.sweep({ now })).toEqual(NOTHING);
    expect(await saver.sweep({ now: now + TEN_MINUTES })).toEqual(NOTHING);
    // A new run is a write: once idle again it is pruned again.
    await workflow.invoke({ questions: ["r"] }, configFor(threadId));
    await workflow.invoke(new Command({ resume: "three" }), configFor(threadId));
    expect((await idsIn(saver, threadId)).length).toBeGreaterThan(1);
    expect(await saver.sweep({ now: afterIdle(TEN_MINUTES) })).toEqual({
      deleted: 0,
      pruned: 1,
      more: false,
    });
    expect(await idsIn(saver, threadId)).toHaveLength(1);
  });

  it("a thread waiting on an interrupt does not expire, unless the ttl says includeInterrupted", async (ctx) => {
    const storage = await isolated(ctx);
    const ttl: ThreadTtl = { idle: "10m" };
    const saver = retaining(await storage.create({ ttl }));
    const { workflow } = interviewWorkflow(saver);
    const waiting = h.threadId("waiting");
    const done = h.threadId("done");
    await workflow.invoke({ questions: ["q"] }, configFor(waiting));
    await workflow.invoke({ questions: ["q"] }, configFor(done));
    await workflow.invoke(new Command({ resume: "a" }), configFor(done));
    const now = afterIdle(TEN_MINUTES);
    expect(await saver.sweep({ now })).toEqual({ deleted: 1, pruned: 0, more: false });
    expect(await saver.getTuple(threadConfig(done))).toBeUndefined();
    expect(await saver.getTuple(threadConfig(waiting))).toBeDefined();
    expect(await saver.sweep({ now: now + 365 * 86_400_000 })).toEqual(NOTHING);
    if (saver.capabilities?.threads)
      expect((await workflow.thread(waiting))?.status).toBe("interrupted");
    // The same storage under a ttl that includes interrupted threads.
    const strict = retaining(await storage.create({ ttl: { ...ttl, includeInterrupted: true } }));
    expect(await strict.sweep({ now })).toEqual({ deleted: 1, pruned: 0, more: false });
    await expectThreadGone(
      strict,
      waiting,
      [""],
      interviewWorkflow(strict, workflow.name).workflow,
    );
  });

  it("a thread written after the sweep's cutoff survives; the ones idle before it go", async (ctx) => {
    const storage = await isolated(ctx);
    const saver = retaining(await storage.create({ ttl: { idle: TEN_MINUTES } }));
    const old = [h.threadId("old"), h.threadId("old")];
    const touched = h.threadId("touched");
    for (const id of [...old, touched]) await putChain(saver, id, 2);
    // Well apart, on any clock, from what was written before and after.
    await pause(100);
    const cutoff = Date.now();
    await pause(100);
    const fresh = h.threadId("fresh");
    await putChain(saver, fresh, 1);
    // A write to a thread's subgraph namespace is a write to the thread.
    await putChain(saver, touched, 1, { ns: "child:1" });
    expect(await saver.sweep({ now: cutoff + TEN_MINUTES })).toEqual({
      deleted: 2,
      pruned: 0,
      more: false,
    });
    for (const id of old) expect(await saver.getTuple(threadConfig(id))).toBeUndefined();
    expect(await idsIn(saver, fresh)).toHaveLength(1);
    expect(await idsIn(saver, touched)).toHaveLength(2);
    expect(await idsIn(saver, touched, "child:1")).toHaveLength(1);
  });

  it("reads refresh a thread's idle time only with refreshOnRead", async (ctx) => {
    const storage = await isolated(ctx);
    const plain = retaining(await storage.create({ ttl: { idle: TEN_MINUTES } }));
    const refreshing = retaining(
      await storage.create({ ttl: { idle: TEN_MINUTES, refreshOnRead: true } }),
    );
    const [read, unread, readPlain] = ["read", "unread", "read-plain"].map((l) => h.threadId(l));
    for (const id of [read!, unread!, readPlain!]) await putChain(plain, id, 1);
    await pause(100);
    const cutoff = Date.now();
    await pause(100);
    expect(await refreshing.getTuple(threadConfig(read!))).toBeDefined();
    expect(await plain.getTuple(threadConfig(readPlain!))).toBeDefined();
    expect(await refreshing.sweep({ now: cutoff + TEN_MINUTES })).toEqual({
      deleted: 2,
      pruned: 0,
      more: false,
    });
    expect(await idsIn(plain, read!)).toHaveLength(1);
    expect(await idsIn(plain, unread!)).toEqual([]);
    expect(await idsIn(plain, readPlain!)).toEqual([]);
  });

  it("a bad ttl, limit or now is InvalidArgumentError, and sweeps nothing", async (ctx) => {
    const storage = await isolated(ctx);
    for (const ttl of [
      { idle: 0 },
      { idle: -5 },
      { idle: "soon" },
      { idle: "10 years" },
      { idle: "10m", onExpire: "archive" },
      { idle: "10m", includeInterrupted: "yes" },
      "10m",
    ]) {
      await expect(
        (async () => storage.create({ ttl: ttl as ThreadTtl }))(),
        `ttl ${JSON.stringify(ttl)}`,
      ).rejects.toThrow(InvalidArgumentError);
    }
    const saver = retaining(await storage.create({ ttl: { idle: TEN_MINUTES } }));
    const threadId = h.threadId("bad-sweep");
    await putChain(saver, threadId, 1);
    const now = afterIdle(TEN_MINUTES);
    for (const options of [
      { limit: 0, now },
      { limit: -1, now },
      { limit: 2.5, now },
      { limit: Number.NaN, now },
      { limit: "10", now },
      { now: Number.NaN },
      { now: "tomorrow" },
      { now: Number.POSITIVE_INFINITY },
    ]) {
      await expect(
        saver.sweep(options as unknown as SweepOptions),
        `sweep(${JSON.stringify(options)})`,
      ).rejects.toThrow(InvalidArgumentError);
    }
    expect(await idsIn(saver, threadId)).toHaveLength(1);
  });
}
