import { describe, expect, it } from "vitest";
import { listAll, putChain, threadConfig } from "../../fixtures/checkpoints.js";
import type { ContractContext } from "./context.js";

/** `deleteThread`: removes one thread whole, and nothing else. */
export function deleteThreadTests({ h }: ContractContext): void {
  describe("deleteThread", () => {
    it("removes every namespace, checkpoint and write of the thread", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [a] = await putChain(saver, threadId, 2, { ns: "" });
      await putChain(saver, threadId, 2, { ns: "sub" });
      await saver.putWrites(a!.config, [["x", 1]], "task-1");
      await saver.deleteThread(threadId);
      expect(await saver.getTuple(threadConfig(threadId, ""))).toBeUndefined();
      expect(await saver.getTuple(threadConfig(threadId, "sub"))).toBeUndefined();
      expect(await listAll(saver, { configurable: { thread_id: threadId } })).toEqual([]);
      // Re-putting the same checkpoint id must not bring the old writes back.
      await saver.put(
        threadConfig(threadId),
        a!.checkpoint,
        a!.metadata,
        a!.checkpoint.channel_versions,
      );
      expect((await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? []).toEqual([]);
    });

    it("leaves other threads alone, including ids that are prefixes or suffixes of it", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const others = [threadId.slice(0, -1), `${threadId}x`, `x${threadId}`, `${threadId}:sub`];
      for (const id of [threadId, ...others]) {
        const [c] = await putChain(saver, id, 1);
        await saver.putWrites(c!.config, [["x", id]], "task-1");
      }
      await saver.deleteThread(threadId);
      expect(await saver.getTuple(threadConfig(threadId))).toBeUndefined();
      for (const id of others) {
        const tuple = await saver.getTuple(threadConfig(id));
        expect(tuple, `thread ${id}`).toBeDefined();
        expect(tuple?.pendingWrites).toEqual([["task-1", "x", id]]);
        await saver.deleteThread(id);
      }
    });

    it("resolves for a thread that does not exist", async () => {
      await expect(h.saver().deleteThread(h.threadId("never-written"))).resolves.toBeUndefined();
    });
  });
}
