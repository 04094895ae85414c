import { entrypoint, getPreviousState } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { RuntimeContext } from "./context.js";

/** getPreviousState and entrypoint.final across runs of one thread. */
export function previousAndFinalTests({ h, config }: RuntimeContext): void {
  describe("previous and final", () => {
    it("getPreviousState sees what the previous run returned (1, then 3)", async () => {
      const workflow = entrypoint({ name: "sum", checkpointer: h.saver() }, async (n: number) => {
        return n + (getPreviousState<number>() ?? 0);
      });
      const cfg = config("previous");
      expect(await workflow.invoke(1, cfg)).toBe(1);
      expect(await workflow.invoke(2, cfg)).toBe(3);
    });

    it("entrypoint.final returns one value and saves another (0, then 6)", async () => {
      const workflow = entrypoint({ name: "final", checkpointer: h.saver() }, async (n: number) => {
        const previous = getPreviousState<number>();
        return entrypoint.final({ value: previous ?? 0, save: 2 * n });
      });
      const cfg = config("final");
      expect(await workflow.invoke(3, cfg)).toBe(0);
      expect(await workflow.invoke(1, cfg)).toBe(6);
      expect((await workflow.getState(cfg)).values).toBe(6);
    });
  });
}
