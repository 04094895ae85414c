import { Command, isPaused } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { requireSharedStorage } from "../../fixtures/skips.js";
import { collect, essayReview } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** The essay-review flow: streaming, invoke, and a resume after a restart. */
export function essayReviewTests({ init, h, config }: RuntimeContext): void {
  describe("the essay-review flow", () => {
    it("streams the task, then the interrupt; on resume the replayed task, then the result", async () => {
      const { workflow, counts } = essayReview(h.saver());
      const cfg = config("essay");
      const first = await collect(workflow.stream("cat", cfg));
      expect(first).toHaveLength(2);
      expect(first[0]).toStrictEqual({ writeEssay: "An essay about topic: cat" });
      const paused = first[1] as { __interrupt__: { id: string; value: unknown }[] };
      expect(paused.__interrupt__).toHaveLength(1);
      expect(paused.__interrupt__[0]!.id).toMatch(/^[0-9a-f]{32}$/);
      expect(paused.__interrupt__[0]!.value).toStrictEqual({
        essay: "An essay about topic: cat",
        action: "Please approve/reject the essay",
      });
      const second = await collect(await workflow.stream(new Command({ resume: true }), cfg));
      expect(second).toStrictEqual([
        { writeEssay: "An essay about topic: cat" },
        { workflow: { essay: "An essay about topic: cat", isApproved: true } },
      ]);
      expect(counts.writeEssay).toBe(1);
    });

    it("invoke returns __interrupt__ while paused and the value when resumed", async () => {
      const { workflow, counts } = essayReview(h.saver());
      const cfg = config("essay-invoke");
      const paused = await workflow.invoke("dogs", cfg);
      expect(isPaused(paused)).toBe(true);
      const result = await workflow.invoke(new Command({ resume: false }), cfg);
      expect(result).toStrictEqual({ essay: "An essay about topic: dogs", isApproved: false });
      expect(counts.writeEssay).toBe(1);
    });

    it("a fresh saver instance (a restarted process) resumes a paused thread without re-running the task", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const cfg = config("restart");
      const before = essayReview(h.saver());
      await before.workflow.invoke("cat", cfg);
      const after = essayReview(await h.fresh());
      const result = await after.workflow.invoke(new Command({ resume: true }), cfg);
      expect(result).toStrictEqual({ essay: "An essay about topic: cat", isApproved: true });
      expect(before.counts.writeEssay + after.counts.writeEssay).toBe(1);
    });
  });
}
