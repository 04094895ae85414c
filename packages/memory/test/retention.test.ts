// MemorySaver's prune, copyThread and deleteThread, checked against what
// MemoryStorage really holds. TTL and sweep are in retention-ttl.test.ts.
import {
  CheckpointNotFoundError,
  Command,
  InvalidArgumentError,
  InvalidIdentifierError,
  newCheckpointId,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { MemorySaver, MemoryStorage } from "../src/index.js";
import {
  bytesSerde,
  configFor,
  finishedFlow,
  heldFlow,
  idsOf,
  referencedKeys,
  reviewFlow,
  rootOf,
  threadId,
  until,
} from "./retention-fixtures.js";

describe("prune", () => {
  it("keeps the newest N, then the latest, and counts what it removed", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow } = finishedFlow(saver);
    const id = threadId("keep");
    for (let n = 0; n < 4; n++) await workflow.invoke(n, configFor(id));
    const all = idsOf(storage, id);
    expect(all.length).toBeGreaterThan(3);
    expect(await saver.prune([id], { keep: 3 })).toEqual({
      threads: 1,
      checkpoints: all.length - 3,
    });
    expect(idsOf(storage, id)).toEqual(all.slice(-3));
    expect(await workflow.prune([id], { keep: "latest" })).toEqual({ threads: 1, checkpoints: 2 });
    expect(idsOf(storage, id)).toEqual(all.slice(-1));
    // Nothing left to remove, and an unknown thread is not counted.
    expect(await saver.prune([id, threadId("nothing")], { keep: 1 })).toEqual({
      threads: 1,
      checkpoints: 0,
    });
  });

  it("prunes each namespace on its own and leaves the thread record as it was", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow } = finishedFlow(saver);
    const id = threadId("ns");
    await workflow.invoke(1, configFor(id));
    await workflow.invoke(2, configFor(id));
    let parent: string | undefined;
    for (let i = 0; i < 3; i++) {
      const checkpointId = newCheckpointId(parent);
      const version = saver.getNextVersion(undefined);
      await saver.put(
        { configurable: { thread_id: id, checkpoint_ns: "inner", checkpoint_id: parent } },
        {
          v: 4,
          id: checkpointId,
          ts: new Date().toISOString(),
          channel_values: { x: i },
          channel_versions: { x: version },
          versions_seen: {},
        },
        { source: "loop", step: i, parents: {} },
        { x: version },
      );
      parent = checkpointId;
    }
    const record = { ...storage.records.get(id)! };
    const rootCount = idsOf(storage, id).length;
    expect(await saver.prune([id], { keep: "latest" })).toEqual({
      threads: 1,
      checkpoints: rootCount - 1 + 2,
    });
    expect(storage.threads.get(id)?.get("inner")?.ids).toEqual([parent]);
    expect(storage.threads.get(id)?.get("inner")?.blobs.size).toBe(1);
    expect(idsOf(storage, id)).toHaveLength(1);
    expect(storage.records.get(id)).toEqual(record);
  });

  it("a paused run pruned to its latest resumes like an unpruned twin, without re-running finished tasks", async () => {
    const storage = new MemoryStorage();
    const pruned = reviewFlow(new MemorySaver({ storage }), "pruned");
    const twin = reviewFlow(new MemorySaver({ storage }), "twin");
    const [a, b] = [threadId("pruned"), threadId("twin")];
    for (const [flow, id] of [
      [pruned, a],
      [twin, b],
    ] as const) {
      // A finished run first (its checkpoints may all go), then a run paused twice.
      await flow.workflow.invoke(1, configFor(id));
      await flow.workflow.invoke(new Command({ resume: "yes" }), configFor(id));
      await flow.workflow.invoke(new Command({ resume: "yes" }), configFor(id));
      await flow.workflow.invoke(5, configFor(id));
      await flow.workflow.invoke(new Command({ resume: "first" }), configFor(id));
    }
    const before = idsOf(storage, a);
    const state = await pruned.workflow.getState(configFor(a));
    const result = await pruned.workflow.prune([a], { keep: "latest" });
    expect(result.checkpoints).toBeGreaterThan(0);
    // The run under way keeps the checkpoints it replays from.
    const kept = idsOf(storage, a);
    expect(kept.length).toBeGreaterThan(1);
    expect(kept).toEqual(before.slice(-kept.length));
    expect(await pruned.workflow.getState(configFor(a))).toEqual(state);
    const runsBefore = [pruned.runs.step, twin.runs.step];
    const answer = new Command({ resume: "second" });
    const resumed = await pruned.workflow.invoke(answer, configFor(a));
    expect(resumed).toEqual(await twin.workflow.invoke(answer, configFor(b)));
    expect(resumed).toEqual({ a: 6, b: 61, c: 611, first: "first", second: "second" });
    // Only the last task ran on resume, on both threads.
    expect([pruned.runs.step - runsBefore[0]!, twin.runs.step - runsBefore[1]!]).toEqual([1, 1]);
  });

  it("time travel to a pruned checkpoint is CheckpointNotFoundError that says it was pruned", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow } = reviewFlow(saver);
    const id = threadId("travel");
    await workflow.invoke(1, configFor(id));
    await workflow.invoke(new Command({ resume: "yes" }), configFor(id));
    await workflow.invoke(new Command({ resume: "yes" }), configFor(id));
    const oldest = idsOf(storage, id)[0]!;
    await saver.prune([id], { keep: "latest" });
    const error = await workflow
      .invoke(new Command({ resume: "again" }), {
        configurable: { thread_id: id, checkpoint_id: oldest },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointNotFoundError);
    expect((error as CheckpointNotFoundError).pruned).toBe(true);
    expect((error as Error).message).toContain(oldest);
  });

  it("drops the channel values only pruned checkpoints listed; the head reads back whole", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow } = finishedFlow(saver);
    const id = threadId("values");
    for (let n = 0; n < 3; n++) await workflow.invoke(n, configFor(id));
    const head = await saver.getTuple(configFor(id));
    const state = await workflow.getState(configFor(id));
    const blobsBefore = new Set(rootOf(storage, id)!.blobs.keys());
    await saver.prune([id], { keep: "latest" });
    const blobsAfter = new Set(rootOf(storage, id)!.blobs.keys());
    expect(blobsAfter.size).toBeLessThan(blobsBefore.size);
    // Exactly what the head lists stays, no more.
    expect(blobsAfter).toEqual(referencedKeys(storage, id));
    expect(rootOf(storage, id)!.writes.size).toBe(
      rootOf(storage, id)!.writes.has(head!.checkpoint.id) ? 1 : 0,
    );
    expect(await saver.getTuple(configFor(id))).toEqual(head);
    expect(await workflow.getState(configFor(id))).toEqual(state);
  });

  it("a run writing while a prune decodes keeps every checkpoint and value it wrote", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, serde: bytesSerde });
    const { workflow } = finishedFlow(saver);
    const id = threadId("race");
    for (let n = 0; n < 3; n++) await workflow.invoke(n, configFor(id));
    const [, result] = await Promise.all([
      saver.prune([id], { keep: "latest" }),
      workflow.invoke(10, configFor(id)),
    ]);
    expect(result).toEqual({ n: 11, text: "value 10".repeat(4) });
    expect((await workflow.getState(configFor(id))).values).toEqual(result);
    const again = await workflow.invoke(20, configFor(id));
    expect(again).toEqual({ n: 21, text: "value 20".repeat(4) });
  });

  it("two prunes of one thread at once remove each checkpoint once", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, serde: bytesSerde });
    const { workflow } = finishedFlow(saver);
    const id = threadId("twice");
    for (let n = 0; n < 4; n++) await workflow.invoke(n, configFor(id));
    const total = idsOf(storage, id).length;
    const results = await Promise.all([
      saver.prune([id], { keep: "latest" }),
      saver.prune([id], { keep: "latest" }),
    ]);
    expect(results[0]!.checkpoints + results[1]!.checkpoints).toBe(total - 1);
    expect(idsOf(storage, id)).toHaveLength(1);
    expect((await workflow.getState(configFor(id))).values).toMatchObject({ n: 4 });
  });
});

describe("copyThread", () => {
  it("copies every checkpoint and the record; the two threads then diverge", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow, runs } = reviewFlow(saver);
    const [from, to] = [threadId("from"), threadId("to")];
    await workflow.invoke(1, configFor(from));
    await workflow.invoke(new Command({ resume: "first" }), configFor(from));
    await saver.copyThread(from, to);
    expect(idsOf(storage, to)).toEqual(idsOf(storage, from));
    const [source, copy] = [await workflow.thread(from), await workflow.thread(to)];
    expect(copy).toMatchObject({
      threadId: to,
      entrypoint: workflow.name,
      status: "interrupted",
      interrupts: source?.interrupts,
      checkpointId: source?.checkpointId,
    });
    const listed = new Set<string | undefined>();
    for await (const tuple of saver.list({})) listed.add(tuple.config.configurable?.thread_id);
    expect(listed).toContain(to);
    const ran = runs.step;
    const one = await workflow.invoke(new Command({ resume: "one" }), configFor(from));
    const other = await workflow.invoke(new Command({ resume: "other" }), configFor(to));
    expect(one).toMatchObject({ second: "one", c: 211 });
    expect(other).toMatchObject({ second: "other", c: 211 });
    expect(runs.step - ran).toBe(2);
    const fromIds = new Set(idsOf(storage, from));
    const onlyInCopy = idsOf(storage, to).filter((i) => !fromIds.has(i));
    expect(onlyInCopy.length).toBeGreaterThan(0);
    expect(await workflow.getState(configFor(from))).not.toEqual(
      await workflow.getState(configFor(to)),
    );
  });

  it("copies stored bytes rather than sharing them", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage, serde: bytesSerde });
    const { workflow } = finishedFlow(saver);
    const [from, to] = [threadId("bytes"), threadId("bytes-copy")];
    await workflow.invoke(1, configFor(from));
    await saver.copyThread(from, to);
    const [a, b] = [rootOf(storage, from)!, rootOf(storage, to)!];
    expect(b).not.toBe(a);
    for (const [key, value] of a.blobs) {
      const copied = b.blobs.get(key);
      expect(copied).toEqual(value);
      if (Array.isArray(value)) expect((copied as typeof value)[1]).not.toBe(value[1]);
    }
    // Damaging the source's bytes leaves the copy readable.
    for (const value of a.blobs.values())
      if (Array.isArray(value)) (value[1] as Uint8Array).fill(0);
    expect((await workflow.getState(configFor(to))).values).toEqual({
      n: 2,
      text: "value 1".repeat(4),
    });
  });

  it("a copied running thread has no lease: it lists as stalled", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow, release } = heldFlow(saver);
    const [from, to] = [threadId("running"), threadId("stalled")];
    const run = workflow.invoke("x", configFor(from));
    await until(() => storage.records.get(from)?.status === "running");
    await saver.copyThread(from, to);
    expect((await workflow.thread(to))?.status).toBe("stalled");
    expect((await workflow.thread(from))?.status).toBe("running");
    release();
    expect(await run).toBe("released");
  });

  it("refuses a source with nothing stored and a target that has anything, with typed errors", async () => {
    const saver = new MemorySaver();
    const { workflow } = finishedFlow(saver);
    const [a, b, missing] = [threadId("a"), threadId("b"), threadId("missing")];
    await workflow.invoke(1, configFor(a));
    await workflow.invoke(2, configFor(b));
    const empty = saver.copyThread(missing, threadId("new"));
    await expect(empty).rejects.toThrow(InvalidArgumentError);
    await expect(saver.copyThread(missing, "x")).rejects.toThrow(
      new RegExp(`${missing}.*has no checkpoints to copy`),
    );
    await expect(saver.copyThread(a, b)).rejects.toThrow(
      new RegExp(`${b}.*delete it first or choose a new id`, "i"),
    );
    await expect(saver.copyThread(a, a)).rejects.toThrow(InvalidArgumentError);
    await expect(saver.copyThread("", b)).rejects.toThrow(InvalidIdentifierError);
    await expect(saver.copyThread(a, 7 as unknown as string)).rejects.toThrow(
      InvalidIdentifierError,
    );
    // Nothing was merged into b.
    expect((await workflow.getState(configFor(b))).values).toMatchObject({ n: 3 });
  });
});

describe("deleteThread", () => {
  it("removes every namespace, the record and the idle clock", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const { workflow } = reviewFlow(saver);
    const id = threadId("delete");
    await workflow.invoke(1, configFor(id));
    expect(await workflow.thread(id)).toBeDefined();
    await saver.deleteThread(id);
    expect(await workflow.thread(id)).toBeUndefined();
    expect([...(await saver.listThreads({ entrypoint: workflow.name, limit: 10 }))]).toEqual([]);
    expect(storage.threads.has(id) || storage.records.has(id) || storage.lastWrite.has(id)).toBe(
      false,
    );
    expect(await saver.getTuple(configFor(id))).toBeUndefined();
  });
});

describe("bad input", () => {
  it("prune refuses a bad keep or thread ids with typed errors", async () => {
    const saver = new MemorySaver();
    for (const keep of [0, -1, 1.5, "all", undefined, Number.NaN]) {
      await expect(saver.prune(["t"], { keep: keep as never })).rejects.toThrow(
        InvalidArgumentError,
      );
    }
    await expect(saver.prune(["t"], { keep: 0 })).rejects.toThrow(/deleteThread/);
    await expect(saver.prune("t" as never, { keep: 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(saver.prune([""], { keep: 1 })).rejects.toThrow(InvalidIdentifierError);
  });
});
