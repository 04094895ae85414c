import { newCheckpointId } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import {
  ascendingIds,
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import type { ContractContext } from "./context.js";

/** `getTuple`: by id and latest, parents, unknown threads, ids and namespaces. */
export function getTupleTests({ h }: ContractContext): void {
  describe("getTuple", () => {
    it("reads a checkpoint by id, deep-equal to what was put", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [a, b] = await putChain(saver, threadId, 2, {
        values: (i) => ({ messages: [`m${i}`], count: i, obj: { k: [i, { z: null }] } }),
      });
      const tuple = await saver.getTuple(threadConfig(threadId, "", a!.checkpoint.id));
      expectSameValue(tuple?.checkpoint, a!.checkpoint, "checkpoint");
      expectSameValue(tuple?.metadata, a!.metadata, "metadata");
      expect(tuple?.config.configurable).toMatchObject({
        thread_id: threadId,
        checkpoint_ns: "",
        checkpoint_id: a!.checkpoint.id,
      });
      expect(b).toBeDefined();
    });

    it("reads the latest checkpoint when no id is given", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 3);
      const tuple = await saver.getTuple(threadConfig(threadId));
      expectSameValue(tuple?.checkpoint, chain[2]!.checkpoint, "latest checkpoint");
      expect(tuple?.config.configurable?.checkpoint_id).toBe(chain[2]!.checkpoint.id);
    });

    it("latest means the greatest id, not the last one put", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [older, newer] = ascendingIds(2);
      const n = makeCheckpoint({ x: "newer" }, undefined, newer);
      await saver.put(threadConfig(threadId), n.checkpoint, makeMetadata(), n.newVersions);
      const o = makeCheckpoint({ x: "older" }, undefined, older);
      await saver.put(threadConfig(threadId), o.checkpoint, makeMetadata(), o.newVersions);
      expect((await saver.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(newer);
    });

    it("has parentConfig naming the parent, and none for a root checkpoint", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [root, child] = await putChain(saver, threadId, 2, { ns: "sub" });
      const rootTuple = await saver.getTuple(threadConfig(threadId, "sub", root!.checkpoint.id));
      const childTuple = await saver.getTuple(threadConfig(threadId, "sub", child!.checkpoint.id));
      expect(rootTuple?.parentConfig).toBeUndefined();
      expect(childTuple?.parentConfig?.configurable).toMatchObject({
        thread_id: threadId,
        checkpoint_ns: "sub",
        checkpoint_id: root!.checkpoint.id,
      });
    });

    it("returns undefined for an unknown thread", async () => {
      expect(await h.saver().getTuple(threadConfig(h.threadId("never-written")))).toBeUndefined();
    });

    it("returns undefined for an unknown checkpoint id of a known thread", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      await putChain(saver, threadId, 1);
      expect(await saver.getTuple(threadConfig(threadId, "", newCheckpointId()))).toBeUndefined();
    });

    it("returns undefined for a namespace the thread does not have", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      await putChain(saver, threadId, 1, { ns: "" });
      expect(await saver.getTuple(threadConfig(threadId, "other"))).toBeUndefined();
    });

    it("does not find a checkpoint id through another namespace", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [a] = await putChain(saver, threadId, 1, { ns: "one" });
      expect(await saver.getTuple(threadConfig(threadId, "two", a!.checkpoint.id))).toBeUndefined();
    });

    it("has no pending writes when none were put", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      await putChain(saver, threadId, 1);
      expect((await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? []).toEqual([]);
    });
  });
}
