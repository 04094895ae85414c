import {
  BrokenHistoryError,
  type CheckpointSaver,
  Command,
  CorruptValueError,
  entrypoint,
  interrupt,
  isPaused,
  type SavepointError,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { idsOf, listAll } from "../../fixtures/checkpoints.js";
import { damagedSaver } from "../../fixtures/damaged-saver.js";
import type { RuntimeContext } from "./context.js";

// Three tasks with an interrupt between each: a run that pauses twice, so a
// resume needs every checkpoint of the run to replay what finished.
function threeStepFlow(checkpointer: CheckpointSaver) {
  const counts = { a: 0, b: 0, c: 0 };
  const step = (name: "a" | "b" | "c") =>
    task(`step_${name}`, async (x: string) => {
      counts[name]++;
      return `${x}${name}`;
    });
  const [a, b, c] = [step("a"), step("b"), step("c")];
  const workflow = entrypoint({ name: "threeSteps", checkpointer }, async (x: string) => {
    const one = await a(x);
    const first = interrupt<string, string>("first?");
    const two = await b(one + first);
    const second = interrupt<string, string>("second?");
    return c(two + second);
  });
  return { workflow, counts };
}

/**
 * Storage that lost part of a run's history: a resume stops with
 * BrokenHistoryError before any task body runs, instead of re-running
 * finished tasks; a damaged `__run__` channel is a CorruptValueError, not a
 * thread that looks idle.
 */
export function brokenHistoryTests({ h, config }: RuntimeContext): void {
  describe("broken history", () => {
    it("a resume that needs a checkpoint missing from storage fails with BrokenHistoryError naming it, and runs no task", async () => {
      const damaged = damagedSaver(h.saver());
      const { workflow, counts } = threeStepFlow(damaged.saver);
      const cfg = config("broken-history");
      const threadId = cfg.configurable.thread_id;
      expect(isPaused(await workflow.invoke("x", cfg))).toBe(true);
      expect(isPaused(await workflow.invoke(new Command({ resume: "1" }), cfg))).toBe(true);
      expect(counts).toStrictEqual({ a: 1, b: 1, c: 0 });
      // Newest first: the head, then the checkpoints the run started from.
      const history = idsOf(await listAll(h.saver(), cfg));
      expect(history.length).toBeGreaterThanOrEqual(2);
      for (const missing of history.slice(1)) {
        damaged.repair();
        damaged.hide(missing);
        for (const resume of [
          () => workflow.invoke(new Command({ resume: "2" }), cfg),
          () => workflow.invoke(null, cfg),
        ]) {
          const error = await resume().catch((e: unknown) => e);
          expect(error, `with checkpoint ${missing} missing`).toBeInstanceOf(BrokenHistoryError);
          expect((error as SavepointError).code).toBe("BROKEN_HISTORY");
          expect((error as Error).message).toContain(JSON.stringify(threadId));
          expect((error as Error).message).toContain(JSON.stringify(missing));
        }
        expect(counts, "task bodies run").toStrictEqual({ a: 1, b: 1, c: 0 });
      }
      // Storage whole again: the run goes on, each task having run once.
      damaged.repair();
      expect(await workflow.invoke(new Command({ resume: "2" }), cfg)).toBe("xa1b2c");
      expect(counts).toStrictEqual({ a: 1, b: 1, c: 1 });
    });

    it("a __run__ channel that is not a run record is a CorruptValueError, not a finished thread", async () => {
      const damaged = damagedSaver(h.saver());
      const { workflow, counts } = threeStepFlow(damaged.saver);
      const cfg = config("damaged-run");
      await workflow.invoke("x", cfg);
      damaged.damage((tuple) => ({
        ...tuple,
        checkpoint: {
          ...tuple.checkpoint,
          channel_values: { ...tuple.checkpoint.channel_values, __run__: "garbage" },
        },
      }));
      for (const [what, run] of [
        ["a Command", () => workflow.invoke(new Command({ resume: "1" }), cfg)],
        ["invoke(null)", () => workflow.invoke(null, cfg)],
        ["a new input", () => workflow.invoke("y", cfg)],
      ] as const) {
        const error = await run().catch((e: unknown) => e);
        expect(error, what).toBeInstanceOf(CorruptValueError);
        expect((error as SavepointError).code, what).toBe("CORRUPT_VALUE");
        expect((error as Error).message, what).toContain("__run__");
      }
      expect(counts, "task bodies run").toStrictEqual({ a: 1, b: 0, c: 0 });
      damaged.repair();
      expect(isPaused(await workflow.invoke(new Command({ resume: "1" }), cfg))).toBe(true);
    });
  });
}
