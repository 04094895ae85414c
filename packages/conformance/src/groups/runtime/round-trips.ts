import { Command, entrypoint, interrupt, task } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { countingSaver } from "../../fixtures/counting-saver.js";
import { essayReview } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** How many storage calls a run and a resume make. */
export function roundTripTests({ h, config }: RuntimeContext): void {
  describe("storage round trips", () => {
    it("a resume that only replays writes one checkpoint; a run never re-reads what it wrote", async () => {
      const counted = countingSaver(h.saver());
      const { workflow } = essayReview(counted.saver);
      const cfg = config("round-trips");
      await workflow.invoke("cat", cfg);
      expect(counted.calls).toStrictEqual({ getTuple: 1, list: 0, put: 1, putWrites: 2 });
      counted.reset();
      await workflow.invoke(new Command({ resume: true }), cfg);
      expect(counted.calls).toStrictEqual({ getTuple: 1, list: 0, put: 1, putWrites: 0 });
    });

    it("resuming a run with many finished tasks costs the same number of calls as with one", async () => {
      const counts: Record<string, number>[] = [];
      for (const n of [1, 200]) {
        const counted = countingSaver(h.saver());
        const step = task("step", async (i: number) => i);
        const workflow = entrypoint({ name: "many", checkpointer: counted.saver }, async () => {
          for (let i = 0; i < n; i++) await step(i);
          const first = interrupt("first?");
          return [first, interrupt("second?")];
        });
        const cfg = config(`many-${n}`);
        await workflow.invoke("go", cfg);
        await workflow.invoke(new Command({ resume: 1 }), cfg);
        counted.reset();
        expect(await workflow.invoke(new Command({ resume: 2 }), cfg)).toStrictEqual([1, 2]);
        counts.push({ ...counted.calls });
      }
      expect(counts[1]).toStrictEqual(counts[0]);
    });
  });
}
