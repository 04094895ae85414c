import { CheckpointNotFoundError, Command, type StateSnapshot } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { collect, essayReview } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

async function history(iterable: AsyncIterable<StateSnapshot>): Promise<StateSnapshot[]> {
  return collect(iterable);
}

/** getState, getStateHistory and time travel. */
export function stateAndHistoryTests({ h, config }: RuntimeContext): void {
  describe("state and history", () => {
    it("getState shows the pending interrupt while paused, and the result when done", async () => {
      const { workflow } = essayReview(h.saver());
      const cfg = config("state");
      expect((await workflow.getState(cfg)).next).toStrictEqual([]);
      await workflow.invoke("cat", cfg);
      const paused = await workflow.getState(cfg);
      expect(paused.next).toStrictEqual(["workflow"]);
      expect(paused.tasks).toHaveLength(1);
      expect(paused.tasks[0]!.name).toBe("workflow");
      expect(paused.tasks[0]!.interrupts[0]!.value).toMatchObject({
        essay: "An essay about topic: cat",
      });
      expect(paused.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      await workflow.invoke(new Command({ resume: true }), cfg);
      const done = await workflow.getState(cfg);
      expect(done.next).toStrictEqual([]);
      expect(done.tasks).toStrictEqual([]);
      expect(done.values).toStrictEqual({ essay: "An essay about topic: cat", isApproved: true });
      expect(done.parentConfig?.configurable?.checkpoint_id).toBeTypeOf("string");
    });

    it("getStateHistory lists the thread newest first, with limit", async () => {
      const { workflow } = essayReview(h.saver());
      const cfg = config("history");
      await workflow.invoke("cat", cfg);
      await workflow.invoke(new Command({ resume: true }), cfg);
      const all = await history(workflow.getStateHistory(cfg));
      // The first run claimed the thread to run its task and paused there; the
      // resume ran no new task, so its end checkpoint is its only one.
      expect(all.length).toBe(2);
      const ids = all.map((s) => s.config.configurable!.checkpoint_id!);
      expect([...ids].sort().reverse()).toStrictEqual(ids);
      expect(all.map((s) => s.metadata?.source)).toStrictEqual(["loop", "input"]);
      expect(all[0]!.parentConfig?.configurable?.checkpoint_id).toBe(ids[1]);
      expect(await history(workflow.getStateHistory(cfg, { limit: 1 }))).toHaveLength(1);
    });

    it("time travel: resuming from an earlier checkpoint forks a new branch without re-running tasks", async () => {
      const { workflow, counts } = essayReview(h.saver());
      const cfg = config("time-travel");
      await workflow.invoke("cat", cfg);
      expect(await workflow.invoke(new Command({ resume: false }), cfg)).toMatchObject({
        isApproved: false,
      });
      const pausedAt = (await history(workflow.getStateHistory(cfg))).find(
        (s) => s.interrupts.length > 0,
      );
      expect(pausedAt).toBeDefined();
      const fork = {
        configurable: {
          ...cfg.configurable,
          checkpoint_id: pausedAt!.config.configurable!.checkpoint_id,
        },
      };
      expect(await workflow.invoke(new Command({ resume: true }), fork)).toStrictEqual({
        essay: "An essay about topic: cat",
        isApproved: true,
      });
      expect(counts.writeEssay).toBe(1);
      expect((await workflow.getState(cfg)).values).toMatchObject({ isApproved: true });
      const missing = {
        configurable: {
          ...cfg.configurable,
          checkpoint_id: "00000000-0000-7000-8000-000000000000",
        },
      };
      await expect(workflow.invoke(null, missing)).rejects.toBeInstanceOf(CheckpointNotFoundError);
    });
  });
}
