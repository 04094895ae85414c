// MemorySaver's thread TTL: sweeps with injected time (`sweep({ now })`),
// and lazy expiry on reads with a ttl of a few milliseconds and a short
// real wait. Storage is read directly to see what is really kept.
import { Command, InvalidArgumentError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { MemorySaver, MemoryStorage } from "../src/index.js";
import {
  bytesSerde,
  configFor,
  finishedFlow,
  heldFlow,
  idsOf,
  reviewFlow,
  sleep,
  threadId,
  until,
} from "./retention-fixtures.js";

const HOUR = 3_600_000;
const later = (ms: number) => Date.now() + ms;

describe("sweep", () => {
  it("deletes threads idle longer than the ttl, and only those", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: "1h" } });
    const { workflow } = finishedFlow(saver);
    const ids = [threadId("idle"), threadId("idle")];
    for (const id of ids) await workflow.invoke(1, configFor(id));
    expect(await saver.sweep()).toEqual({ deleted: 0, pruned: 0, more: false });
    expect(await saver.sweep({ now: later(HOUR / 2) })).toEqual({
      deleted: 0,
      pruned: 0,
      more: false,
    });
    expect(await saver.sweep({ now: later(2 * HOUR) })).toEqual({
      deleted: 2,
      pruned: 0,
      more: false,
    });
    for (const id of ids) {
      expect(storage.threads.has(id) || storage.records.has(id) || storage.lastWrite.has(id)).toBe(
        false,
      );
      expect(await workflow.thread(id)).toBeUndefined();
    }
  });

  it("keep-latest prunes an idle thread once, and again only after a new write", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: "1h", onExpire: "keep-latest" } });
    const { workflow } = finishedFlow(saver);
    const id = threadId("latest");
    for (let n = 0; n < 3; n++) await workflow.invoke(n, configFor(id));
    const state = await workflow.getState(configFor(id));
    const record = await workflow.thread(id);
    expect(await saver.sweep({ now: later(2 * HOUR) })).toEqual({
      deleted: 0,
      pruned: 1,
      more: false,
    });
    expect(idsOf(storage, id)).toHaveLength(1);
    expect(await workflow.getState(configFor(id))).toEqual(state);
    expect(await workflow.thread(id)).toEqual(record);
    expect(await saver.sweep({ now: later(3 * HOUR) })).toMatchObject({ pruned: 0 });
    await workflow.invoke(9, configFor(id));
    expect(await saver.sweep({ now: later(2 * HOUR) })).toMatchObject({ pruned: 1 });
    expect(idsOf(storage, id)).toHaveLength(1);
  });

  it("leaves a thread waiting on an interrupt, unless includeInterrupted", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: "1h" } });
    const review = reviewFlow(saver);
    const finished = finishedFlow(saver);
    const [paused, done] = [threadId("paused"), threadId("done")];
    await review.workflow.invoke(1, configFor(paused));
    await finished.workflow.invoke(1, configFor(done));
    expect(await saver.sweep({ now: later(2 * HOUR) })).toMatchObject({ deleted: 1 });
    expect(storage.threads.has(done)).toBe(false);
    expect((await review.workflow.thread(paused))?.status).toBe("interrupted");
    // Another saver on the same storage, whose ttl includes interrupted threads.
    const strict = new MemorySaver({ storage, ttl: { idle: "1h", includeInterrupted: true } });
    expect(await strict.sweep({ now: later(2 * HOUR) })).toMatchObject({ deleted: 1 });
    expect(storage.threads.has(paused)).toBe(false);
  });

  it("never expires a thread a live run holds; a stalled copy of it does expire", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: "1h" } });
    const { workflow, release } = heldFlow(saver);
    const [live, stalled] = [threadId("live"), threadId("stalled")];
    const run = workflow.invoke("x", configFor(live));
    await until(() => storage.records.get(live)?.status === "running");
    await saver.copyThread(live, stalled);
    expect(await saver.sweep({ now: later(2 * HOUR) })).toMatchObject({ deleted: 1 });
    expect(storage.threads.has(stalled)).toBe(false);
    expect((await workflow.thread(live))?.status).toBe("running");
    release();
    expect(await run).toBe("released");
    expect(await saver.sweep({ now: later(2 * HOUR) })).toMatchObject({ deleted: 1 });
    expect(storage.threads.has(live)).toBe(false);
  });

  it("expires at most limit threads per call, the longest idle first, and says when there are more", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: "1h" } });
    const { workflow } = finishedFlow(saver);
    const ids = [0, 1, 2, 3, 4].map((i) => threadId(`limit${i}`));
    for (const id of ids) await workflow.invoke(1, configFor(id));
    // Idle clocks set through storage, in an order unlike the writes': ids[i] idle 10h - i min.
    const base = Date.now() - 10 * HOUR;
    for (const i of [3, 0, 4, 1, 2]) storage.lastWrite.set(ids[i]!, base + i * 60_000);
    expect(await saver.sweep({ limit: 2 })).toEqual({ deleted: 2, pruned: 0, more: true });
    expect(ids.map((id) => storage.threads.has(id))).toEqual([false, false, true, true, true]);
    expect(await saver.sweep({ limit: 2 })).toEqual({ deleted: 2, pruned: 0, more: true });
    expect(await saver.sweep({ limit: 2 })).toEqual({ deleted: 1, pruned: 0, more: false });
    expect(await saver.sweep({ limit: 2 })).toEqual({ deleted: 0, pruned: 0, more: false });
  });

  it("two sweepers on one storage expire each thread once", async () => {
    for (const onExpire of ["delete", "keep-latest"] as const) {
      const storage = new MemoryStorage();
      // The bytes serializer decodes with awaits, so keep-latest sweeps interleave.
      const [a, b] = [0, 1].map(
        () => new MemorySaver({ storage, serde: bytesSerde, ttl: { idle: "1h", onExpire } }),
      );
      const { workflow } = finishedFlow(a!);
      const ids = Array.from({ length: 10 }, (_, i) => threadId(`pair${i}`));
      for (const id of ids) {
        await workflow.invoke(1, configFor(id));
        await workflow.invoke(2, configFor(id));
      }
      const now = later(2 * HOUR);
      const results = await Promise.all([a!.sweep({ now }), b!.sweep({ now })]);
      const total = results.reduce((n, r) => n + r.deleted + r.pruned, 0);
      expect(total).toBe(10);
      if (onExpire === "keep-latest") {
        for (const id of ids) expect(idsOf(storage, id)).toHaveLength(1);
      } else expect(storage.threads.size).toBe(0);
    }
  });

  it("without a ttl does nothing, yet still checks its options", async () => {
    const saver = new MemorySaver();
    const { workflow } = finishedFlow(saver);
    await workflow.invoke(1, configFor(threadId("kept")));
    expect(await saver.sweep({ now: later(1000 * HOUR) })).toEqual({
      deleted: 0,
      pruned: 0,
      more: false,
    });
    for (const options of [{ limit: 0 }, { limit: 1.5 }, { limit: -3 }, { now: Number.NaN }]) {
      await expect(saver.sweep(options)).rejects.toThrow(InvalidArgumentError);
    }
    await expect(saver.sweep({ limit: 0 })).rejects.toThrow(/limit/);
  });
});

describe("lazy expiry", () => {
  it("a read meets an expired thread as gone and removes it; others wait to be met", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: 20 } });
    const { workflow } = finishedFlow(saver);
    const [read, summary, listed] = [threadId("read"), threadId("summary"), threadId("listed")];
    for (const id of [read, summary, listed]) await workflow.invoke(1, configFor(id));
    await sleep(50);
    expect(await saver.getTuple(configFor(read))).toBeUndefined();
    expect(storage.threads.has(read)).toBe(false);
    expect(storage.threads.has(summary)).toBe(true);
    expect(await workflow.thread(summary)).toBeUndefined();
    expect(storage.records.has(summary)).toBe(false);
    expect(storage.threads.has(listed)).toBe(true);
    const seen: unknown[] = [];
    for await (const tuple of saver.list({})) seen.push(tuple);
    expect(seen).toEqual([]);
    expect(storage.threads.size).toBe(0);
    // A new run on an expired thread starts afresh.
    expect(await workflow.invoke(5, configFor(read))).toEqual({ n: 6, text: "value 5".repeat(4) });
  });

  it("with keep-latest, a read of an expired thread prunes it and reads the head", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, ttl: { idle: 20, onExpire: "keep-latest" } });
    const { workflow } = finishedFlow(saver);
    const id = threadId("lazy-latest");
    for (let n = 0; n < 3; n++) await workflow.invoke(n, configFor(id));
    const head = await saver.getTuple(configFor(id));
    await sleep(50);
    expect(await saver.getTuple(configFor(id))).toEqual(head);
    expect(idsOf(storage, id)).toHaveLength(1);
    expect(storage.lastWrite.has(id)).toBe(false);
  });

  it("reads restart the idle clock only with refreshOnRead", async () => {
    const storage = new MemoryStorage();
    const fresh = new MemorySaver({ storage, ttl: { idle: "1h", refreshOnRead: true } });
    const plain = new MemorySaver({ storage, ttl: { idle: "1h" } });
    const [a, b] = [threadId("refreshed"), threadId("plain")];
    for (const [saver, id] of [
      [fresh, a],
      [plain, b],
    ] as const) {
      const { workflow } = reviewFlow(saver);
      await workflow.invoke(1, configFor(id));
      await workflow.invoke(new Command({ resume: "a" }), configFor(id));
      await workflow.invoke(new Command({ resume: "b" }), configFor(id));
      // Last written half an hour ago, then read now.
      storage.lastWrite.set(id, Date.now() - HOUR / 2);
      expect(await saver.getTuple(configFor(id))).toBeDefined();
    }
    // Three quarters of an hour on: idle 75 min since the write, 45 since the read.
    const now = later((3 * HOUR) / 4);
    // Either saver's sweep sees the same clocks (both ttls idle for 1h).
    expect(await plain.sweep({ now })).toMatchObject({ deleted: 1 });
    expect([storage.threads.has(a), storage.threads.has(b)]).toEqual([true, false]);
  });
});

describe("bad ttl", () => {
  it("is refused by the constructor with a typed error naming it", () => {
    for (const ttl of [
      { idle: "soon" },
      { idle: -1 },
      { idle: 0 },
      { idle: "10 years" },
      { idle: "1h", onExpire: "archive" },
      { idle: "1h", includeInterrupted: "yes" },
      "1h",
      null,
    ]) {
      expect(() => new MemorySaver({ ttl: ttl as never })).toThrow(InvalidArgumentError);
    }
    expect(() => new MemorySaver({ ttl: { idle: "soon" } })).toThrow(/MemorySaver ttl\.idle/);
  });
});
