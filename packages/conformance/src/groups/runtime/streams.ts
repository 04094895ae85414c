import { entrypoint, getWriter, type StateSnapshot, task } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { collect } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** Stream modes: custom, updates, values, tasks, checkpoints, debug. */
export function streamTests({ h, config }: RuntimeContext): void {
  describe("streams", () => {
    it("custom mode yields what getWriter() wrote; an array of modes yields [mode, chunk] pairs", async () => {
      const step = task("step", async (n: number) => {
        getWriter()({ progress: n });
        return n;
      });
      const workflow = entrypoint({ name: "writer", checkpointer: h.saver() }, async () => {
        getWriter()("starting");
        await step(1);
        await step(2);
        return "done";
      });
      const custom = await collect(
        workflow.stream("go", { ...config("custom"), streamMode: "custom" }),
      );
      expect(custom).toStrictEqual(["starting", { progress: 1 }, { progress: 2 }]);
      const both = await collect(
        workflow.stream("go", { ...config("modes"), streamMode: ["updates", "custom"] }),
      );
      expect(both).toStrictEqual([
        ["custom", "starting"],
        ["custom", { progress: 1 }],
        ["updates", { step: 1 }],
        ["custom", { progress: 2 }],
        ["updates", { step: 2 }],
        ["updates", { writer: "done" }],
      ]);
    });

    it("values, tasks, checkpoints and debug modes describe the run", async () => {
      const double = task("double", async (n: number) => n * 2);
      const workflow = entrypoint({ name: "modes", checkpointer: h.saver() }, async (n: number) =>
        double(n),
      );
      expect(
        await collect(workflow.stream(4, { ...config("values"), streamMode: "values" })),
      ).toStrictEqual([8]);
      const tasks = (await collect(
        workflow.stream(4, { ...config("tasks"), streamMode: "tasks" }),
      )) as any[];
      expect(tasks).toMatchObject([
        { id: "0:double", name: "double", input: 4 },
        { id: "0:double", name: "double", result: 8, interrupts: [] },
      ]);
      const checkpoints = (await collect(
        workflow.stream(4, { ...config("checkpoints"), streamMode: "checkpoints" }),
      )) as StateSnapshot[];
      expect(checkpoints.map((c) => c.next)).toStrictEqual([["modes"], []]);
      expect(checkpoints[1]!.values).toBe(8);
      const debug = (await collect(
        workflow.stream(4, { ...config("debug"), streamMode: "debug" }),
      )) as any[];
      expect(debug.map((d) => d.type)).toStrictEqual([
        "checkpoint",
        "task",
        "task_result",
        "checkpoint",
      ]);
    });
  });
}
