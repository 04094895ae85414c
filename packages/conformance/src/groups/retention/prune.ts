import { Command, InvalidArgumentError, type Keep } from "@savepoint/core";
import { expect, it } from "vitest";
import { listAll, putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import {
  configFor,
  idsIn,
  interviewWorkflow,
  putHistory,
  type RetentionContext,
  retaining,
  tuplesIn,
} from "./context.js";

/** prune(): what each keep leaves, per namespace, with writes and values; its typed errors. */
export function pruneTests({ h, storage }: RetentionContext): void {
  it('keep: "latest" leaves the newest checkpoint, with its writes, and removes the rest', async () => {
    const saver = retaining(await (await storage()).create());
    const threadId = h.threadId("latest");
    const chain = await putChain(saver, threadId, 8);
    const head = chain.at(-1)!;
    await saver.putWrites(head.config, [["answer", { yes: true }]], "task-head");
    await saver.putWrites(chain[3]!.config, [["old", 1]], "task-old");
    const before = await saver.getTuple(threadConfig(threadId));
    expect(await saver.prune([threadId], { keep: "latest" })).toEqual({
      threads: 1,
      checkpoints: 7,
    });
    expect(await idsIn(saver, threadId)).toEqual([head.checkpoint.id]);
    expectSameValue(await saver.getTuple(threadConfig(threadId)), before, "the head tuple");
    for (const gone of chain.slice(0, -1)) {
      expect(await saver.getTuple(threadConfig(threadId, "", gone.checkpoint.id))).toBeUndefined();
    }
    // Pruning again finds nothing more to remove.
    expect(await saver.prune([threadId], { keep: "latest" })).toEqual({
      threads: 1,
      checkpoints: 0,
    });
  });

  it("keep: N keeps the newest N; a thread with N or fewer is left as it was", async () => {
    const saver = retaining(await (await storage()).create());
    const long = h.threadId("long");
    const short = h.threadId("short");
    const chain = await putChain(saver, long, 10);
    await putChain(saver, short, 3);
    const kept = chain.slice(-4).map((c) => c.checkpoint.id);
    const before = await tuplesIn(saver, long);
    const shortBefore = await tuplesIn(saver, short);
    expect(await saver.prune([long, short], { keep: 4 })).toEqual({ threads: 2, checkpoints: 6 });
    expect(await idsIn(saver, long)).toEqual([...kept].reverse());
    const after = await tuplesIn(saver, long);
    for (const id of kept) expectSameValue(after.get(id), before.get(id), `checkpoint ${id}`);
    expectSameValue(await tuplesIn(saver, short), shortBefore, "the short thread");
  });

  it("a value written once and inherited since stays readable when the checkpoint that wrote it goes", async () => {
    const saver = retaining(await (await storage()).create());
    const threadId = h.threadId("inherited");
    const put = await putHistory(saver, threadId, "", [
      { changes: { profile: { name: "Ada", tags: ["x"] }, step: 0 } },
      { changes: { step: 1 } },
      { changes: { step: 2, draft: "first" } },
      { changes: { step: 3 } },
    ]);
    const before = await saver.getTuple(threadConfig(threadId));
    expect(await saver.prune([threadId], { keep: "latest" })).toEqual({
      threads: 1,
      checkpoints: 3,
    });
    const after = await saver.getTuple(threadConfig(threadId));
    expectSameValue(after, before, "the head tuple");
    expect(after?.checkpoint.channel_values).toEqual({
      profile: { name: "Ada", tags: ["x"] },
      step: 3,
      draft: "first",
    });
    expect(after?.checkpoint.id).toBe(put.at(-1)!.checkpoint.id);
  });

  it("prunes every namespace of a thread on its own", async () => {
    const saver = retaining(await (await storage()).create());
    const threadId = h.threadId("namespaces");
    const lengths: Record<string, number> = { "": 5, "child:1": 3, "child:2|grand:1": 1 };
    const chains: Record<string, string[]> = {};
    for (const [ns, count] of Object.entries(lengths)) {
      chains[ns] = (await putChain(saver, threadId, count, { ns })).map((c) => c.checkpoint.id);
    }
    expect(await saver.prune([threadId], { keep: 2 })).toEqual({ threads: 1, checkpoints: 4 });
    for (const [ns, ids] of Object.entries(chains)) {
      expect(await idsIn(saver, threadId, ns), `namespace "${ns}"`).toEqual(
        ids.slice(-2).reverse(),
      );
    }
    expect(await saver.prune([threadId], { keep: "latest" })).toEqual({
      threads: 1,
      checkpoints: 2,
    });
    for (const [ns, ids] of Object.entries(chains))
      expect(await idsIn(saver, threadId, ns)).toEqual([ids.at(-1)]);
  });

  it("thread ids that name nothing are not counted; repeated ids count once", async () => {
    const saver = retaining(await (await storage()).create());
    const known = h.threadId("known");
    await putChain(saver, known, 3);
    const unknown = [h.threadId("unknown"), h.threadId("unknown")];
    expect(await saver.prune(unknown, { keep: "latest" })).toEqual({ threads: 0, checkpoints: 0 });
    expect(await saver.prune([], { keep: "latest" })).toEqual({ threads: 0, checkpoints: 0 });
    expect(await saver.prune([known, unknown[0]!, known], { keep: 2 })).toEqual({
      threads: 1,
      checkpoints: 1,
    });
    for (const id of unknown) expect(await saver.getTuple(threadConfig(id))).toBeUndefined();
  });

  it("a pruned thread reads the same: getState, its history's head, and its record", async (ctx) => {
    const saver = retaining(await (await storage()).create());
    const { workflow } = interviewWorkflow(saver);
    const threadId = h.threadId("state");
    for (const questions of [["a", "b"], ["c"]]) {
      await workflow.invoke({ questions }, configFor(threadId));
      for (const _ of questions)
        await workflow.invoke(new Command({ resume: "yes" }), configFor(threadId));
    }
    const state = await workflow.getState(configFor(threadId));
    const record = saver.capabilities?.threads ? await workflow.thread(threadId) : undefined;
    const removed = await workflow.prune([threadId], { keep: "latest" });
    expect(removed.threads).toBe(1);
    expect(removed.checkpoints).toBeGreaterThan(0);
    expectSameValue(await workflow.getState(configFor(threadId)), state, "getState");
    const history = await listAll(saver, configFor(threadId));
    expect(history.map((t) => t.checkpoint.id)).toEqual([state.config.configurable?.checkpoint_id]);
    if (!saver.capabilities?.threads) ctx.skip("the saver keeps no thread records to compare");
    // Pruning is not a write: the record's status and times stay.
    expect(await workflow.thread(threadId)).toEqual(record);
  });

  it("workflow.prune(query) prunes the threads a listing finds, and only those", async (ctx) => {
    const saver = retaining(await (await storage()).create());
    if (!saver.capabilities?.threads) ctx.skip("the saver keeps no thread records to query");
    const { workflow } = interviewWorkflow(saver);
    const done = [h.threadId("done"), h.threadId("done")];
    const waiting = h.threadId("waiting");
    for (const id of done) {
      await workflow.invoke({ questions: ["q"] }, configFor(id));
      await workflow.invoke(new Command({ resume: "a" }), configFor(id));
      await workflow.invoke({ questions: ["r"] }, configFor(id));
      await workflow.invoke(new Command({ resume: "b" }), configFor(id));
    }
    await workflow.invoke({ questions: ["q"] }, configFor(waiting));
    await workflow.invoke(new Command({ resume: "a" }), configFor(waiting));
    await workflow.invoke({ questions: ["r"] }, configFor(waiting));
    const waitingBefore = await idsIn(saver, waiting);
    let extra = 0;
    for (const id of done) extra += (await idsIn(saver, id)).length - 1;
    expect(await workflow.prune({ status: "done" }, { keep: "latest" })).toEqual({
      threads: 2,
      checkpoints: extra,
    });
    for (const id of done) expect(await idsIn(saver, id)).toHaveLength(1);
    expect(await idsIn(saver, waiting)).toEqual(waitingBefore);
  });

  it("a put racing a prune is never lost: the thread's head is the last checkpoint put", async () => {
    const saver = retaining(await (await storage()).create());
    const threadId = h.threadId("race");
    const chain = await putChain(saver, threadId, 6);
    const [, more] = await Promise.all([
      saver.prune([threadId], { keep: "latest" }),
      putChain(saver, threadId, 4, { parent: chain.at(-1)! }),
    ]);
    const last = more.at(-1)!;
    expect((await saver.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(last.checkpoint.id);
    expect(await saver.getTuple(threadConfig(threadId, "", last.checkpoint.id))).toMatchObject({
      checkpoint: { id: last.checkpoint.id },
    });
  });

  it("bad keep values and thread ids are InvalidArgumentError, and remove nothing", async () => {
    const saver = retaining(await (await storage()).create());
    const { workflow } = interviewWorkflow(saver);
    const threadId = h.threadId("bad");
    await putChain(saver, threadId, 3);
    for (const keep of [0, -1, 1.5, Number.NaN, "all", "newest", undefined, null]) {
      const options = { keep: keep as Keep };
      await expect(saver.prune([threadId], options), `keep ${String(keep)}`).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(workflow.prune([threadId], options)).rejects.toThrow(/keep/);
    }
    for (const ids of ["abc", [7], null, [threadId, undefined]]) {
      await expect(
        saver.prune(ids as string[], { keep: "latest" }),
        `thread ids ${JSON.stringify(ids)}`,
      ).rejects.toThrow(InvalidArgumentError);
    }
    expect(await idsIn(saver, threadId)).toHaveLength(3);
  });
}
