import {
  Command,
  entrypoint,
  interrupt,
  MissingThreadIdError,
  NoCheckpointerError,
  NothingToResumeError,
  RunAbortedError,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { essayReview, sleep } from "../../fixtures/workflows.js";
import type { RuntimeContext } from "./context.js";

/** The runtime's typed errors: no thread id, no checkpointer, nothing to resume, an aborted run. */
export function errorTests({ h, config }: RuntimeContext): void {
  describe("errors", () => {
    it("a workflow with a checkpointer needs a thread_id (MissingThreadIdError)", async () => {
      const { workflow } = essayReview(h.saver());
      await expect(workflow.invoke("cat", {})).rejects.toBeInstanceOf(MissingThreadIdError);
    });

    it("interrupt() without a checkpointer fails with NoCheckpointerError", async () => {
      const workflow = entrypoint({ name: "noSaver" }, async () => interrupt("hello?"));
      await expect(workflow.invoke("x")).rejects.toBeInstanceOf(NoCheckpointerError);
      await expect(workflow.invoke(new Command({ resume: 1 }))).rejects.toBeInstanceOf(
        NoCheckpointerError,
      );
    });

    it("resuming a thread with nothing paused fails with NothingToResumeError", async () => {
      const { workflow } = essayReview(h.saver());
      const cfg = config("nothing");
      await expect(workflow.invoke(new Command({ resume: true }), cfg)).rejects.toBeInstanceOf(
        NothingToResumeError,
      );
      await workflow.invoke("cat", cfg);
      await workflow.invoke(new Command({ resume: true }), cfg);
      const error = await workflow.invoke(new Command({ resume: true }), cfg).catch((e) => e);
      expect(error).toBeInstanceOf(NothingToResumeError);
      expect(error.message).toContain("last run finished");
    });

    it("an aborted run stops with RunAbortedError and invoke(null) continues it later", async () => {
      const controller = new AbortController();
      const counts = { first: 0, second: 0 };
      const first = task("first", async () => {
        counts.first++;
        return 1;
      });
      const second = task("second", async () => {
        counts.second++;
        if (counts.second === 1) {
          controller.abort("shutting down");
          await sleep(50);
        }
        return 2;
      });
      const workflow = entrypoint({ name: "abortable", checkpointer: h.saver() }, async () => [
        await first(),
        await second(),
      ]);
      const cfg = config("abort");
      await expect(
        workflow.invoke("go", { ...cfg, signal: controller.signal }),
      ).rejects.toBeInstanceOf(RunAbortedError);
      expect(await workflow.invoke(null, cfg)).toStrictEqual([1, 2]);
      expect(counts.first).toBe(1);
    });
  });
}
