import {
  type CheckpointSaver,
  entrypoint,
  getConfig,
  RunAbortedError,
  type SavepointError,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { listAll } from "../../fixtures/checkpoints.js";
import { sleep } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

function expectAborted(error: unknown): void {
  expect(error).toBeInstanceOf(RunAbortedError);
  expect((error as SavepointError).code).toBe("RUN_ABORTED");
}

// Names of the tasks whose results (or errors) a thread's latest checkpoint holds.
async function savedTaskNames(saver: CheckpointSaver, threadId: string): Promise<string[]> {
  const tuple = await saver.getTuple({ configurable: { thread_id: threadId } });
  return (tuple?.pendingWrites ?? [])
    .filter(([, channel]) => channel === "__return__" || channel === "__error__")
    .map(([taskId]) => taskId.slice(taskId.indexOf(":") + 1));
}

// Three tasks in a row; the second aborts the run (once) while it is running,
// and notes whether it can see the abort through getConfig().signal.
function abortableFlow(checkpointer: CheckpointSaver) {
  const counts = { first: 0, second: 0, third: 0 };
  const seenAborted: (boolean | undefined)[] = [];
  let abortNext: AbortController | undefined;
  const first = task("first", async (x: number) => {
    counts.first++;
    return x + 1;
  });
  const second = task("second", async (x: number) => {
    counts.second++;
    const controller = abortNext;
    abortNext = undefined;
    if (controller) {
      controller.abort("shutting down");
      await sleep(20);
      seenAborted.push(getConfig().signal?.aborted);
    }
    return x * 10;
  });
  const third = task("third", async (x: number) => {
    counts.third++;
    return `done: ${x}`;
  });
  const workflow = entrypoint({ name: "abortable3", checkpointer }, async (x: number) => {
    const a = await first(x);
    const b = await second(a);
    return { a, b, c: await third(b) };
  });
  return {
    workflow,
    counts,
    seenAborted,
    /** The next call of `second` aborts `controller`. */
    abortDuringSecond(controller: AbortController) {
      abortNext = controller;
    },
  };
}

/**
 * Aborting a run: nothing runs or is saved after the abort, an aborted
 * signal starts nothing, a running task sees the abort, and a resume re-runs
 * exactly what was not saved.
 */
export function abortTests({ h, config }: RuntimeContext): void {
  describe("abort", () => {
    it("after invoke rejects with RUN_ABORTED, a task the entrypoint still calls never runs and nothing of it is saved", async () => {
      const controller = new AbortController();
      const counts = { before: 0, late: 0 };
      let lateOutcome: unknown = "not called";
      let bodyDone!: () => void;
      const bodyFinished = new Promise<void>((resolve) => {
        bodyDone = resolve;
      });
      const before = task("before", async () => ++counts.before);
      const late = task("late", async () => ++counts.late);
      const workflow = entrypoint({ name: "keepsGoing", checkpointer: h.saver() }, async () => {
        await before();
        controller.abort("stop");
        // The caller already has its rejection; this code goes on regardless.
        await sleep(20);
        lateOutcome = await late().catch((e: unknown) => e);
        bodyDone();
        return "finished";
      });
      const cfg = config("abort-late-task");
      expectAborted(
        await workflow.invoke("go", { ...cfg, signal: controller.signal }).catch((e) => e),
      );
      await bodyFinished;
      await sleep(20);
      expect(counts).toStrictEqual({ before: 1, late: 0 });
      expectAborted(lateOutcome);
      expect(await savedTaskNames(h.saver(), cfg.configurable.thread_id)).toStrictEqual(["before"]);
    });

    it("with an already-aborted signal nothing runs and nothing is stored", async () => {
      const controller = new AbortController();
      controller.abort("never started");
      let bodies = 0;
      let ran = 0;
      const step = task("step", async () => ++ran);
      const workflow = entrypoint({ name: "preAborted", checkpointer: h.saver() }, async () => {
        bodies++;
        return step();
      });
      const cfg = config("abort-before");
      expectAborted(
        await workflow.invoke("go", { ...cfg, signal: controller.signal }).catch((e) => e),
      );
      await sleep(20);
      expect({ bodies, ran }).toStrictEqual({ bodies: 0, ran: 0 });
      expect(await h.saver().getTuple(cfg)).toBeUndefined();
      expect(await listAll(h.saver(), cfg)).toStrictEqual([]);
      const state = await workflow.getState(cfg);
      expect(state.next, "getState shows no run").toStrictEqual([]);
      expect(state.tasks).toStrictEqual([]);
      expect(state.config.configurable?.checkpoint_id).toBeUndefined();
    });

    it("a task running when the abort fires sees it through getConfig().signal.aborted", async () => {
      const flow = abortableFlow(h.saver());
      const controller = new AbortController();
      flow.abortDuringSecond(controller);
      const cfg = config("abort-seen");
      expectAborted(
        await flow.workflow.invoke(1, { ...cfg, signal: controller.signal }).catch((e) => e),
      );
      await sleep(40);
      expect(flow.seenAborted).toStrictEqual([true]);
    });

    it("invoke(null) after an abort re-runs exactly the tasks whose results were not saved, and returns what an uninterrupted run returns", async () => {
      const uninterrupted = abortableFlow(h.saver());
      const expected = await uninterrupted.workflow.invoke(1, config("abort-reference"));
      expect(uninterrupted.counts).toStrictEqual({ first: 1, second: 1, third: 1 });

      const flow = abortableFlow(h.saver());
      const controller = new AbortController();
      flow.abortDuringSecond(controller);
      const cfg = config("abort-resume");
      expectAborted(
        await flow.workflow.invoke(1, { ...cfg, signal: controller.signal }).catch((e) => e),
      );
      // Let `second` finish after the abort: its result must not be saved.
      await sleep(40);
      expect(flow.counts).toStrictEqual({ first: 1, second: 1, third: 0 });
      expect(await savedTaskNames(h.saver(), cfg.configurable.thread_id)).toStrictEqual(["first"]);

      expect(await flow.workflow.invoke(null, cfg)).toStrictEqual(expected);
      // `first` was saved and replays; `second` was not and runs again; `third` runs once.
      expect(flow.counts).toStrictEqual({ first: 1, second: 2, third: 1 });
    });
  });
}
