import { Command, entrypoint, getConfig, interrupt, isPaused, task } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import type { RuntimeContext } from "./context.js";

/** The "sync", "async" and "exit" durability modes. */
export function durabilityTests({ h, config }: RuntimeContext): void {
  describe("durability", () => {
    for (const durability of ["sync", "async", "exit"] as const) {
      it(`"${durability}": a finished run is fully saved before invoke returns`, async () => {
        const saver = h.saver();
        const step = task("step", async (n: number) => n + 1);
        const workflow = entrypoint({ name: "durable", checkpointer: saver }, async (n: number) => {
          const a = await step(n);
          return interrupt<number, number>(await step(a));
        });
        const cfg = { ...config(`durability-${durability}`), durability };
        const paused = await workflow.invoke(1, cfg);
        expect(isPaused(paused) && paused.__interrupt__[0]!.value).toBe(3);
        const tuple = await saver.getTuple(cfg);
        const results = (tuple?.pendingWrites ?? []).filter(
          ([, channel]) => channel === "__return__",
        );
        expect(results.map(([taskId, , value]) => [taskId, value])).toStrictEqual([
          ["0:step", 2],
          ["1:step", 3],
        ]);
        expect(await workflow.invoke(new Command({ resume: 10 }), cfg)).toBe(10);
      });
    }

    it('"sync" saves each task before the next one starts', async () => {
      const saver = h.saver();
      const seenBySecond: unknown[] = [];
      const first = task("first", async () => "saved");
      const second = task("second", async () => {
        const tuple = await saver.getTuple(getConfig());
        seenBySecond.push(...(tuple?.pendingWrites ?? []).map(([taskId]) => taskId));
        return "ok";
      });
      const workflow = entrypoint({ name: "syncMode", checkpointer: saver }, async () => [
        await first(),
        await second(),
      ]);
      await workflow.invoke("go", { ...config("sync"), durability: "sync" });
      expect(seenBySecond).toContain("0:first");
    });
  });
}
