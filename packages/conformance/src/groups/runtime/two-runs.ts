import { Command, entrypoint, interrupt, task } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { skipUnlessConditionalPut } from "../../fixtures/skips.js";
import { sleep } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** Two runs racing on one thread (needs capabilities.conditionalPut). */
export function twoRunsTests({ h, config }: RuntimeContext): void {
  describe("two runs on one thread", () => {
    it("concurrent resumes that each need a new task: the task runs once, one run commits", async (ctx) => {
      const saver = h.saver();
      skipUnlessConditionalPut(saver, ctx);
      let charges = 0;
      const charge = task("charge", async (amount: number) => {
        charges++;
        await sleep(5);
        return `charged ${amount}`;
      });
      const workflow = entrypoint(
        { name: "checkout", checkpointer: saver },
        async (amount: number) => {
          const ok = interrupt<string, boolean>("confirm?");
          return ok ? charge(amount) : "cancelled";
        },
      );
      const cfg = config("double-submit");
      await workflow.invoke(10, cfg);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => workflow.invoke(new Command({ resume: true }), cfg)),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) {
        // Refused at its write, or too late to find the interrupt unanswered.
        if (r.status === "rejected") {
          expect(["THREAD_BUSY", "NOTHING_TO_RESUME"]).toContain(
            (r.reason as { code?: string }).code,
          );
        }
      }
      expect(charges).toBe(1);
      expect((await workflow.getState(cfg)).values).toBe("charged 10");
    });

    it("a new input while another run is under way: exactly one of them commits", async (ctx) => {
      const saver = h.saver();
      skipUnlessConditionalPut(saver, ctx);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = task("slow", async (label: string) => {
        if (label === "first") await gate;
        return label;
      });
      const workflow = entrypoint({ name: "overlap", checkpointer: saver }, async (label: string) =>
        slow(label),
      );
      const cfg = config("overlap");
      const first = workflow.invoke("first", cfg);
      await sleep(20);
      const second = await workflow.invoke("second", cfg);
      release();
      const outcome = await first.then(
        () => "committed",
        (error: { code?: string }) => error.code,
      );
      expect(second).toBe("second");
      expect(outcome).toBe("CHECKPOINT_CONFLICT");
      expect((await workflow.getState(cfg)).values).toBe("second");
    });
  });
}
