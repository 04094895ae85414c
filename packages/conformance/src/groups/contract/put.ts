import { describe, expect, it } from "vitest";
import {
  idsOf,
  listAll,
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import type { ContractContext } from "./context.js";

/** `put`: the config it returns, namespaces, replacing, forks, metadata. */
export function putTests({ h, putOne }: ContractContext): void {
  describe("put", () => {
    it("returns the config naming the stored checkpoint", async () => {
      const threadId = h.threadId();
      const { checkpoint, config } = await putOne(h.saver(), threadId);
      expect(config.configurable?.thread_id).toBe(threadId);
      expect(config.configurable?.checkpoint_ns).toBe("");
      expect(config.configurable?.checkpoint_id).toBe(checkpoint.id);
    });

    it("returns the namespace it stored into", async () => {
      const threadId = h.threadId();
      const { checkpoint, config } = await putOne(h.saver(), threadId, { ns: "child:1" });
      expect(config.configurable).toMatchObject({
        thread_id: threadId,
        checkpoint_ns: "child:1",
        checkpoint_id: checkpoint.id,
      });
    });

    it('treats a missing checkpoint_ns as the default namespace ""', async () => {
      const threadId = h.threadId();
      const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
      await h
        .saver()
        .put({ configurable: { thread_id: threadId } }, checkpoint, makeMetadata(), newVersions);
      const tuple = await h.saver().getTuple(threadConfig(threadId, ""));
      expect(tuple?.checkpoint.id).toBe(checkpoint.id);
      expect(tuple?.config.configurable?.checkpoint_ns ?? "").toBe("");
    });

    it("re-putting the same checkpoint id replaces it (one entry in list)", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const first = makeCheckpoint({ x: "first" });
      await saver.put(
        threadConfig(threadId),
        first.checkpoint,
        makeMetadata({ v: 1 }),
        first.newVersions,
      );
      // Versions only grow, so the replacement carries new versions for the changed channel.
      const second = makeCheckpoint({ x: "second" }, first, first.checkpoint.id);
      await saver.put(
        threadConfig(threadId),
        second.checkpoint,
        makeMetadata({ v: 2 }),
        second.newVersions,
      );
      const tuple = await saver.getTuple(threadConfig(threadId, "", first.checkpoint.id));
      expect(tuple?.checkpoint.channel_values).toEqual({ x: "second" });
      expect(tuple?.metadata?.v).toBe(2);
      expect(idsOf(await listAll(saver, threadConfig(threadId)))).toEqual([first.checkpoint.id]);
    });

    it("accepts an unconditional put whose parent is not the head (a fork)", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [root, head] = await putChain(saver, threadId, 2);
      const fork = makeCheckpoint({ forked: true }, root);
      await saver.put(
        root!.config,
        fork.checkpoint,
        makeMetadata({ source: "fork" }),
        fork.newVersions,
      );
      const tuple = await saver.getTuple(threadConfig(threadId, "", fork.checkpoint.id));
      expect(tuple?.parentConfig?.configurable?.checkpoint_id).toBe(root!.checkpoint.id);
      expect(head!.checkpoint.id < fork.checkpoint.id).toBe(true);
      expect((await saver.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(
        fork.checkpoint.id,
      );
    });

    it("stores metadata with user keys unchanged", async () => {
      const threadId = h.threadId();
      const meta = {
        user: "ada",
        tags: ["a", "b"],
        nested: { n: 1, deep: [null, true] },
        score: 0.5,
      };
      const { metadata } = await putOne(h.saver(), threadId, { meta });
      const tuple = await h.saver().getTuple(threadConfig(threadId));
      expectSameValue(tuple?.metadata, metadata, "metadata");
    });
  });
}
