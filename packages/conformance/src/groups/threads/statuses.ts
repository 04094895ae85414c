import { Command } from "@savepoint/core";
import { expect, it } from "vitest";
import { expectSameValue } from "../../fixtures/equality.js";
import {
  configFor,
  eventually,
  expectSummaryShape,
  listed,
  openGate,
  reviewWorkflow,
  type ThreadsContext,
} from "./context.js";

/** Each status reached by a real workflow, what a status change does, and forks. */
export function statusTests({ h }: ThreadsContext): void {
  it("each status comes from a real run: interrupted, running, failed, done", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const [paused, finished, failed, running] = [0, 1, 2, 3].map((i) => h.threadId(`s${i}`));
    await workflow.invoke({ topic: "cats" }, configFor(paused!));
    await workflow.invoke({ topic: "dogs" }, configFor(finished!));
    await workflow.invoke(new Command({ resume: true }), configFor(finished!));
    await expect(
      workflow.invoke({ topic: "owls", fail: true }, configFor(failed!)),
    ).rejects.toThrow(/review of owls failed/);
    const gateName = `hold-${running}`;
    const holding = workflow.invoke({ topic: "bees", hold: gateName }, configFor(running!));
    const byId = async () =>
      new Map((await listed(workflow.threads())).map((t) => [t.threadId, t]));
    const seen = await eventually(byId, (m) => m.get(running!)?.status === "running");
    expect(seen.get(paused!)?.status).toBe("interrupted");
    expect(seen.get(finished!)?.status).toBe("done");
    expect(seen.get(failed!)?.status).toBe("failed");
    expect(seen.get(running!)?.status).toBe("running");
    expect(seen.get(running!)?.leaseUntil).toBeDefined();
    for (const t of seen.values()) expectSummaryShape(t);
    openGate(gateName);
    await holding;
    expect((await workflow.thread(running!))?.status).toBe("interrupted");
  });

  it("an interrupted thread lists its interrupts with their payloads, exactly", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const threadId = h.threadId("payload");
    const paused = await workflow.invoke(
      { topic: "a <script>x</script> & ünïcode 🎉" },
      configFor(threadId),
    );
    const summary = await workflow.thread(threadId);
    expect(summary?.status).toBe("interrupted");
    expect(summary?.interrupts).toHaveLength(1);
    expectSameValue(
      summary?.interrupts,
      (paused as { __interrupt__: unknown }).__interrupt__,
      "interrupts",
    );
    expect(summary?.entrypoint).toBe(workflow.name);
    // The record names the thread's latest checkpoint.
    const state = await workflow.getState(configFor(threadId));
    expect(summary?.checkpointId).toBe(state.config.configurable?.checkpoint_id);
  });

  it("answering the interrupts moves the thread to done, with no interrupts left", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const threadId = h.threadId("answer");
    await workflow.invoke({ topic: "cats" }, configFor(threadId));
    const before = await workflow.thread(threadId);
    await workflow.invoke(new Command({ resume: false }), configFor(threadId));
    const after = await workflow.thread(threadId);
    expect(after?.status).toBe("done");
    expect(after?.interrupts).toEqual([]);
    expect(after?.createdAt).toBe(before?.createdAt);
    expect(Date.parse(after!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before!.updatedAt));
  });

  it("a failed thread continued with invoke(null) is done", async () => {
    const { workflow, runs } = reviewWorkflow(h.saver());
    const threadId = h.threadId("retry");
    await expect(
      workflow.invoke({ topic: "x", fail: true }, configFor(threadId)),
    ).rejects.toThrow();
    expect((await workflow.thread(threadId))?.status).toBe("failed");
    // The run's input still says fail: continuing fails again, and the status says so.
    await expect(workflow.invoke(null, configFor(threadId))).rejects.toThrow();
    expect((await workflow.thread(threadId))?.status).toBe("failed");
    expect(runs.write).toBe(1);
  });

  it("a fork from an older checkpoint: the status follows the new run", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const threadId = h.threadId("fork");
    await workflow.invoke({ topic: "cats" }, configFor(threadId));
    await workflow.invoke(new Command({ resume: true }), configFor(threadId));
    expect((await workflow.thread(threadId))?.status).toBe("done");
    const history: string[] = [];
    for await (const s of workflow.getStateHistory(configFor(threadId)))
      history.push(s.config.configurable?.checkpoint_id as string);
    const oldest = history[history.length - 1]!;
    await workflow.invoke(new Command({ resume: false }), {
      configurable: { thread_id: threadId, checkpoint_id: oldest },
    });
    const forked = await workflow.thread(threadId);
    expect(forked?.status).toBe("done");
    const head = await workflow.getState(configFor(threadId));
    expect(forked?.checkpointId).toBe(head.config.configurable?.checkpoint_id);
    expect(forked?.checkpointId).not.toBe(history[0]);
  });

  it("threads of another workflow on the same saver are not listed", async () => {
    const a = reviewWorkflow(h.saver());
    const b = reviewWorkflow(h.saver());
    const ta = h.threadId("a");
    const tb = h.threadId("b");
    await a.workflow.invoke({ topic: "a" }, configFor(ta));
    await b.workflow.invoke({ topic: "b" }, configFor(tb));
    expect((await listed(a.workflow.threads())).map((t) => t.threadId)).toEqual([ta]);
    expect((await listed(b.workflow.threads())).map((t) => t.threadId)).toEqual([tb]);
    expect(await a.workflow.thread(tb)).toBeUndefined();
  });
}
