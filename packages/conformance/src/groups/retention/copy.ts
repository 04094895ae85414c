import {
  type CheckpointTuple,
  Command,
  InvalidArgumentError,
  InvalidIdentifierError,
  type RunnableConfig,
} from "@savepoint/core";
import { expect, it } from "vitest";
import { listAll, putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import { openGate } from "../threads/context.js";
import {
  choreWorkflow,
  configFor,
  expectThreadGone,
  idsIn,
  interviewWorkflow,
  listed,
  pause,
  type RetentionContext,
  retaining,
  tuplesIn,
  uniqueName,
} from "./context.js";

const NAMESPACES = ["", "child:1", "child:1|grand:2"];

// A config as it names the same checkpoint on another thread.
function onThread(config: RunnableConfig | undefined, threadId: string) {
  return config && { ...config, configurable: { ...config.configurable, thread_id: threadId } };
}

// The copy's tuple is the original's, on the copy's thread id.
function expectCopyOf(copy: CheckpointTuple | undefined, original: CheckpointTuple, to: string) {
  const id = original.checkpoint.id;
  expect(copy, `checkpoint ${id} on the copy`).toBeDefined();
  expectSameValue(copy!.checkpoint, original.checkpoint, `checkpoint ${id}`);
  expectSameValue(copy!.metadata, original.metadata, `the metadata of ${id}`);
  expectSameValue(copy!.pendingWrites, original.pendingWrites, `the writes of ${id}`);
  expect(copy!.config).toEqual(onThread(original.config, to));
  expect(copy!.parentConfig).toEqual(onThread(original.parentConfig, to));
}

/** copyThread(): a whole-thread fork that then diverges; its refusals; deleteThread of a whole thread. */
export function copyTests({ h, storage }: RetentionContext): void {
  it("copies every namespace (same checkpoint ids, writes, values), then the two diverge", async () => {
    const saver = retaining(await (await storage()).create());
    const from = h.threadId("from");
    const to = h.threadId("to");
    for (const [i, ns] of NAMESPACES.entries()) {
      const chain = await putChain(saver, from, 3 + i, { ns, values: (n) => ({ n, ns }) });
      await saver.putWrites(chain.at(-1)!.config, [["out", { ns }]], `task-${i}`);
      await saver.putWrites(chain[0]!.config, [["first", i]], `task-${i}`);
    }
    const originals = new Map<string, Map<string, CheckpointTuple>>();
    for (const ns of NAMESPACES) originals.set(ns, await tuplesIn(saver, from, ns));
    await saver.copyThread(from, to);
    for (const ns of NAMESPACES) {
      const original = originals.get(ns)!;
      expect(await idsIn(saver, to, ns)).toEqual([...original.keys()]);
      const copied = await tuplesIn(saver, to, ns);
      for (const [id, tuple] of original) expectCopyOf(copied.get(id), tuple, to);
    }
    // A write to the copy does not show in the original, nor one to the original in the copy.
    const copyHead = (await saver.getTuple(threadConfig(to, "child:1")))!;
    const [added] = await putChain(saver, to, 1, {
      ns: "child:1",
      parent: { ...copyHead, metadata: copyHead.metadata! },
    });
    const rootHead = [...originals.get("")!.values()][0]!;
    await saver.putWrites(rootHead.config, [["late", "original only"]], "task-late");
    expect(await idsIn(saver, from, "child:1")).toEqual([...originals.get("child:1")!.keys()]);
    expect(await idsIn(saver, to, "child:1")).toEqual([
      added!.checkpoint.id,
      ...originals.get("child:1")!.keys(),
    ]);
    const originalRoot = await saver.getTuple(threadConfig(from));
    expect(originalRoot?.pendingWrites?.map(([, channel]) => channel)).toContain("late");
    const copyRoot = await saver.getTuple(threadConfig(to));
    expectSameValue(copyRoot?.pendingWrites, rootHead.pendingWrites, "the copy's head writes");
    // Deleting the original leaves the copy whole.
    await saver.deleteThread(from);
    expect(await idsIn(saver, from)).toEqual([]);
    for (const ns of NAMESPACES) expect((await idsIn(saver, to, ns)).length).toBeGreaterThan(0);
  });

  it("a copy of a paused run resumes on its own: the original still waits, each ends with its own answer", async () => {
    const saver = retaining(await (await storage()).create());
    const original = interviewWorkflow(saver);
    const copy = interviewWorkflow(saver, original.name);
    const probe = uniqueName("probe");
    const from = h.threadId("paused");
    const to = h.threadId("paused-copy");
    const meta = { configurable: { thread_id: from }, metadata: { probe } };
    await original.workflow.invoke({ questions: ["name", "team"] }, meta);
    await original.workflow.invoke(new Command({ resume: "Ada" }), meta);
    const state = await original.workflow.getState(configFor(from));
    await saver.copyThread(from, to);
    const copied = await copy.workflow.getState(configFor(to));
    expectSameValue(copied.values, state.values, "the copy's values");
    expectSameValue(copied.interrupts, state.interrupts, "the copy's interrupts");
    expect(copied.next).toEqual(state.next);
    expect(copied.config.configurable?.checkpoint_id).toBe(
      state.config.configurable?.checkpoint_id,
    );
    // The copy's checkpoints show in a listing across threads, as any thread's do.
    const across = await listAll(saver, { configurable: {} }, { filter: { probe } });
    const threads = new Set(across.map((t) => t.config.configurable?.thread_id));
    expect([...threads].sort()).toEqual([from, to].sort());
    if (saver.capabilities?.threads) {
      const record = await copy.workflow.thread(to);
      expect(record).toMatchObject({
        threadId: to,
        entrypoint: original.name,
        status: "interrupted",
        checkpointId: state.config.configurable?.checkpoint_id,
      });
      expectSameValue(record?.interrupts, (await original.workflow.thread(from))?.interrupts);
      const listedIds = (await listed(copy.workflow.threads())).map((t) => t.threadId);
      expect(listedIds.sort()).toEqual([from, to].sort());
    }
    const done = await copy.workflow.invoke(new Command({ resume: "compilers" }), configFor(to));
    expect(done).toMatchObject({
      answers: [{ answer: "Ada" }, { answer: "compilers" }],
    });
    expect(copy.runs).toEqual({}); // every task had finished before the copy: none ran again
    expectSameValue(await original.workflow.getState(configFor(from)), state, "the original");
    const other = await original.workflow.invoke(
      new Command({ resume: "databases" }),
      configFor(from),
    );
    expect(other).toMatchObject({ answers: [{ answer: "Ada" }, { answer: "databases" }] });
    expect((await copy.workflow.getState(configFor(to))).values).toEqual(done);
  });

  it("a copy of a running thread holds no lease: it lists as stalled while the original runs", async (ctx) => {
    const saver = retaining(await (await storage()).create());
    if (!saver.capabilities?.threads) ctx.skip("the saver keeps no thread records to list");
    const { workflow } = choreWorkflow(saver);
    const from = h.threadId("running");
    const to = h.threadId("running-copy");
    const gateName = `copy-${from}`;
    const run = workflow.invoke({ label: "slow", hold: gateName }, configFor(from));
    try {
      for (let i = 0; i < 250 && (await workflow.thread(from))?.status !== "running"; i++)
        await pause(20);
      expect((await workflow.thread(from))?.status).toBe("running");
      await saver.copyThread(from, to);
      expect((await workflow.thread(to))?.status).toBe("stalled");
      expect((await workflow.thread(from))?.status).toBe("running");
    } finally {
      openGate(gateName);
      await run;
    }
    expect((await workflow.thread(from))?.status).toBe("done");
    expect((await workflow.thread(to))?.status).toBe("stalled");
  });

  it("refuses a source with nothing stored, and a target that has checkpoints: typed errors naming the thread", async () => {
    const saver = retaining(await (await storage()).create());
    const missing = h.threadId("missing");
    const source = h.threadId("source");
    const taken = h.threadId("taken");
    await putChain(saver, source, 2);
    await putChain(saver, taken, 1, { ns: "child:1" });
    const takenBefore = await tuplesIn(saver, taken, "child:1");
    const refusal = saver.copyThread(missing, h.threadId("new"));
    await expect(refusal).rejects.toThrow(InvalidArgumentError);
    await expect(refusal).rejects.toThrow(missing);
    await expect(refusal).rejects.toThrow(/has no checkpoints to copy/i);
    for (const target of [taken, source]) {
      const merge = saver.copyThread(source, target);
      await expect(merge).rejects.toThrow(InvalidArgumentError);
      await expect(merge).rejects.toThrow(target);
      await expect(merge).rejects.toThrow(/delete it first or choose a new id/i);
    }
    // Nothing was merged into the taken thread.
    expectSameValue(await tuplesIn(saver, taken, "child:1"), takenBefore, "the taken thread");
    expect(await idsIn(saver, taken)).toEqual([]);
    for (const [a, b] of [
      ["", source],
      [source, ""],
      [source, "X\ud800"],
      [7, source],
    ]) {
      await expect(saver.copyThread(a as string, b as string)).rejects.toThrow(
        InvalidIdentifierError,
      );
    }
  });

  it("deleteThread removes every namespace and the thread's record", async () => {
    const saver = retaining(await (await storage()).create());
    const { workflow } = interviewWorkflow(saver);
    const threadId = h.threadId("delete");
    const neighbour = h.threadId("delete");
    for (const id of [threadId, neighbour]) {
      await workflow.invoke({ questions: ["q"] }, configFor(id));
      for (const ns of NAMESPACES.slice(1)) await putChain(saver, id, 2, { ns });
    }
    await saver.deleteThread(threadId);
    await expectThreadGone(saver, threadId, NAMESPACES, workflow);
    for (const ns of NAMESPACES) expect(await idsIn(saver, neighbour, ns)).not.toEqual([]);
    if (saver.capabilities?.threads) expect(await workflow.thread(neighbour)).toBeDefined();
    // The id is free again: a new run starts from nothing.
    expect(await workflow.invoke({ questions: ["again"] }, configFor(threadId))).toMatchObject({
      __interrupt__: [{ value: { asked: "Q: again?" } }],
    });
  });
}
