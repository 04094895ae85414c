import { CheckpointNotFoundError, Command, newCheckpointId } from "@savepoint/core";
import { expect, it } from "vitest";
import { listAll } from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import {
  configFor,
  idsIn,
  interviewWorkflow,
  type RetentionContext,
  retaining,
} from "./context.js";

const QUESTIONS = ["name", "team", "role", "start"];

/** A paused run survives pruning: same state, same result, no finished task run again; time travel says what was pruned. */
export function resumeTests({ h, storage }: RetentionContext): void {
  // A thread with a finished run behind it and a second run paused on its
  // third question: the second run's checkpoints carry what it replays.
  async function pausedThread(workflow: ReturnType<typeof interviewWorkflow>["workflow"]) {
    const threadId = h.threadId("paused");
    await workflow.invoke({ questions: ["warm-up"] }, configFor(threadId));
    await workflow.invoke(new Command({ resume: "ok" }), configFor(threadId));
    await workflow.invoke({ questions: QUESTIONS }, configFor(threadId));
    await workflow.invoke(new Command({ resume: "Ada" }), configFor(threadId));
    await workflow.invoke(new Command({ resume: "compilers" }), configFor(threadId));
    return threadId;
  }

  async function finish(
    workflow: ReturnType<typeof interviewWorkflow>["workflow"],
    threadId: string,
  ) {
    await workflow.invoke(new Command({ resume: "engineer" }), configFor(threadId));
    return workflow.invoke(new Command({ resume: "Monday" }), configFor(threadId));
  }

  it('a paused run pruned to keep: "latest" resumes with the result of an unpruned twin, re-running no finished task', async () => {
    const saver = retaining(await (await storage()).create());
    const pruned = interviewWorkflow(saver);
    const twin = interviewWorkflow(saver, pruned.name);
    const threadId = await pausedThread(pruned.workflow);
    const twinId = await pausedThread(twin.workflow);
    const all = await listAll(saver, configFor(threadId));
    // The paused run's checkpoints: the head's run and every one before it in that run.
    const runId = all[0]!.metadata?.run_id;
    const runChain = all.filter((t) => t.metadata?.run_id === runId).map((t) => t.checkpoint.id);
    expect(runChain.length, "the paused run spans several checkpoints").toBeGreaterThanOrEqual(3);
    const state = await pruned.workflow.getState(configFor(threadId));
    const result = await pruned.workflow.prune([threadId], { keep: "latest" });
    expect(result).toEqual({ threads: 1, checkpoints: all.length - runChain.length });
    expect(await idsIn(saver, threadId)).toEqual(runChain);
    expectSameValue(await pruned.workflow.getState(configFor(threadId)), state, "getState");
    const ran = { ...pruned.runs };
    const answer = await finish(pruned.workflow, threadId);
    expect(answer).toEqual(await finish(twin.workflow, twinId));
    expect(answer).toMatchObject({ answers: [{ answer: "Ada" }, {}, {}, { answer: "Monday" }] });
    // Each question's task ran once, in the pruned thread as in its twin.
    expect(pruned.runs).toEqual(twin.runs);
    expect(pruned.runs).toEqual({ ...ran, start: 1 });
    for (const question of ["warm-up", ...QUESTIONS]) expect(pruned.runs[question]).toBe(1);
  });

  it("keep: N keeps the newest N and, beyond them, the whole run under way", async () => {
    const saver = retaining(await (await storage()).create());
    const { workflow } = interviewWorkflow(saver);
    const threadId = await pausedThread(workflow);
    const tuples = await listAll(saver, configFor(threadId));
    const all = tuples.map((t) => t.checkpoint.id);
    const runLength = tuples.filter(
      (t) => t.metadata?.run_id === tuples[0]!.metadata?.run_id,
    ).length;
    expect(all.length).toBeGreaterThan(runLength + 1);
    await workflow.prune([threadId], { keep: runLength + 1 });
    expect(await idsIn(saver, threadId)).toEqual(all.slice(0, runLength + 1));
    await workflow.prune([threadId], { keep: 1 });
    expect(await idsIn(saver, threadId)).toEqual(all.slice(0, runLength));
    expect(await finish(workflow, threadId)).toMatchObject({ answers: { length: 4 } });
  });

  it("time travel to a pruned checkpoint is CheckpointNotFoundError saying it was pruned", async () => {
    const saver = retaining(await (await storage()).create());
    const { workflow } = interviewWorkflow(saver);
    const threadId = h.threadId("travel");
    for (const answer of ["one", "two"]) {
      await workflow.invoke({ questions: ["q"] }, configFor(threadId));
      await workflow.invoke(new Command({ resume: answer }), configFor(threadId));
    }
    const history = await idsIn(saver, threadId);
    await workflow.prune([threadId], { keep: "latest" });
    const oldest = history.at(-1)!;
    const travel = (checkpointId: string) =>
      workflow.invoke(new Command({ resume: "again" }), {
        configurable: { thread_id: threadId, checkpoint_id: checkpointId },
      });
    const error = await travel(oldest).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckpointNotFoundError);
    expect((error as CheckpointNotFoundError).pruned).toBe(true);
    expect((error as Error).message).toContain(oldest);
    expect((error as Error).message).toMatch(/pruned/);
    // An id newer than every kept one was never there: not called pruned.
    const invented = await travel(newCheckpointId(history[0])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(invented).toBeInstanceOf(CheckpointNotFoundError);
    expect((invented as CheckpointNotFoundError).pruned).toBe(false);
    // The kept head is still a place to travel to.
    const head = await workflow.getState({
      configurable: { thread_id: threadId, checkpoint_id: history[0] },
    });
    expect(head.values).toMatchObject({ answers: [{ answer: "two" }] });
  });
}
