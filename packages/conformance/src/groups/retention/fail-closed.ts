import { type CheckpointSaver, SaverCapabilityMissingError } from "@savepoint/core";
import { expect, it } from "vitest";
import { bareSaver } from "../../fixtures/bare-saver.js";
import { choreWorkflow, configFor, type RetentionContext } from "./context.js";

/** A saver without the capability: `workflow.prune()` fails closed, runs still work. */
export function failClosedTests({ h }: RetentionContext): void {
  it("fails closed on a saver without retention: workflow.prune() is a typed error naming what to implement", async () => {
    const saver = h.saver();
    // The saver itself when it has no retention; else the same storage without it.
    const bare: CheckpointSaver = saver.capabilities?.retention !== true ? saver : bareSaver(saver);
    const { workflow } = choreWorkflow(bare);
    const threadId = h.threadId("bare");
    await workflow.invoke({ label: "x" }, configFor(threadId));
    const refused = workflow.prune([threadId], { keep: "latest" });
    await expect(refused).rejects.toBeInstanceOf(SaverCapabilityMissingError);
    await expect(refused).rejects.toThrow(/capabilities\.retention/);
    await expect(refused).rejects.toThrow(/prune, copyThread and sweep/);
    // Running still works: the runtime asks nothing more of such a saver.
    expect(await workflow.invoke({ label: "y" }, configFor(threadId))).toEqual({
      result: "done: y",
    });
    await saver.deleteThread(threadId);
  });
}
