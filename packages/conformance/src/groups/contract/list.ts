import { describe, expect, it } from "vitest";
import {
  ascendingIds,
  idsOf,
  listAll,
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import type { ContractContext } from "./context.js";

/** `list`: order, `limit`, `before`, metadata filters, namespaces, across threads, one named checkpoint. */
export function listTests({ h }: ContractContext): void {
  describe("list", () => {
    it("lists a thread's checkpoints newest first (by id, not by put order)", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const ids = ascendingIds(5);
      for (const i of [2, 0, 4, 1, 3]) {
        const c = makeCheckpoint({ i }, undefined, ids[i]);
        await saver.put(threadConfig(threadId), c.checkpoint, makeMetadata(), c.newVersions);
      }
      expect(idsOf(await listAll(saver, threadConfig(threadId)))).toEqual([...ids].reverse());
    });

    it("honours limit", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 5);
      expect(idsOf(await listAll(saver, threadConfig(threadId), { limit: 2 }))).toEqual([
        chain[4]!.checkpoint.id,
        chain[3]!.checkpoint.id,
      ]);
      expect(await listAll(saver, threadConfig(threadId), { limit: 50 })).toHaveLength(5);
    });

    it("with before, lists only strictly older checkpoints", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 5);
      const tuples = await listAll(saver, threadConfig(threadId), { before: chain[3]!.config });
      expect(idsOf(tuples)).toEqual([2, 1, 0].map((i) => chain[i]!.checkpoint.id));
    });

    it("combines before and limit", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 5);
      const tuples = await listAll(saver, threadConfig(threadId), {
        before: chain[4]!.config,
        limit: 2,
      });
      expect(idsOf(tuples)).toEqual([chain[3]!.checkpoint.id, chain[2]!.checkpoint.id]);
    });

    it("filters on one metadata key exactly", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 4, {
        metadata: (i) => ({ source: i % 2 === 0 ? "input" : "loop" }),
      });
      const tuples = await listAll(saver, threadConfig(threadId), {
        filter: { source: "input" },
      });
      expect(idsOf(tuples)).toEqual([chain[2]!.checkpoint.id, chain[0]!.checkpoint.id]);
    });

    it("filters on several keys: every key must match", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 4, {
        metadata: (i) => ({ user: i < 2 ? "ada" : "bob", kind: i % 2 === 0 ? "draft" : "final" }),
      });
      const tuples = await listAll(saver, threadConfig(threadId), {
        filter: { user: "ada", kind: "final", step: 1 },
      });
      expect(idsOf(tuples)).toEqual([chain[1]!.checkpoint.id]);
    });

    it("excludes checkpoints whose value differs, or that lack the key", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      await putChain(saver, threadId, 3, {
        metadata: (i) => [{ n: 1 }, { n: "1" }, {}][i]!,
      });
      const one = await listAll(saver, threadConfig(threadId), { filter: { n: 1 } });
      expect(one.map((t) => t.metadata?.n)).toEqual([1]);
      expect(await listAll(saver, threadConfig(threadId), { filter: { n: null } })).toEqual([]);
      expect(await listAll(saver, threadConfig(threadId), { filter: { absent: "x" } })).toEqual([]);
    });

    it("matches object and array values by deep equality, not containment", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 2, {
        metadata: (i) =>
          i === 0
            ? { tags: ["a"], owner: { id: 1 } }
            : { tags: ["a", "b"], owner: { id: 1, team: "x" } },
      });
      const exact = await listAll(saver, threadConfig(threadId), {
        filter: { tags: ["a"], owner: { id: 1 } },
      });
      expect(idsOf(exact)).toEqual([chain[0]!.checkpoint.id]);
      expect(
        idsOf(await listAll(saver, threadConfig(threadId), { filter: { tags: ["b", "a"] } })),
      ).toEqual([]);
    });

    it("with an empty filter lists everything", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      await putChain(saver, threadId, 3);
      expect(await listAll(saver, threadConfig(threadId), { filter: {} })).toHaveLength(3);
    });

    it("with checkpoint_ns, lists only that namespace", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const main = await putChain(saver, threadId, 2, { ns: "" });
      const sub = await putChain(saver, threadId, 2, { ns: "sub" });
      expect(idsOf(await listAll(saver, threadConfig(threadId, "")))).toEqual(
        [main[1]!, main[0]!].map((c) => c.checkpoint.id),
      );
      const subTuples = await listAll(saver, threadConfig(threadId, "sub"));
      expect(idsOf(subTuples)).toEqual([sub[1]!, sub[0]!].map((c) => c.checkpoint.id));
      expect(subTuples.every((t) => t.config.configurable?.checkpoint_ns === "sub")).toBe(true);
    });

    it("without checkpoint_ns, lists every namespace of the thread, newest first", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const a = await putChain(saver, threadId, 1, { ns: "" });
      const b = await putChain(saver, threadId, 1, { ns: "sub" });
      const c = await putChain(saver, threadId, 1, { ns: "", parent: a[0] });
      const tuples = await listAll(saver, { configurable: { thread_id: threadId } });
      expect(idsOf(tuples)).toEqual([c[0]!, b[0]!, a[0]!].map((x) => x.checkpoint.id));
      expect(tuples.map((t) => t.config.configurable?.checkpoint_ns)).toEqual(["", "sub", ""]);
    });

    it("without thread_id, lists across threads", async () => {
      const saver = h.saver();
      const tag = h.threadId("tag");
      const t1 = await putChain(saver, h.threadId(), 2, { metadata: () => ({ tag }) });
      const t2 = await putChain(saver, h.threadId(), 1, { metadata: () => ({ tag }) });
      const tuples = await listAll(saver, {}, { filter: { tag } });
      expect(idsOf(tuples)).toEqual([t2[0]!, t1[1]!, t1[0]!].map((x) => x.checkpoint.id));
      expect(new Set(tuples.map((t) => t.config.configurable?.thread_id)).size).toBe(2);
    });

    it("carries each checkpoint's pending writes and parent", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [a, b] = await putChain(saver, threadId, 2);
      await saver.putWrites(a!.config, [["x", "on a"]], "task-a");
      await saver.putWrites(b!.config, [["x", "on b"]], "task-b");
      const [tb, ta] = await listAll(saver, threadConfig(threadId));
      expect(tb?.pendingWrites).toEqual([["task-b", "x", "on b"]]);
      expect(ta?.pendingWrites).toEqual([["task-a", "x", "on a"]]);
      expect(tb?.parentConfig?.configurable?.checkpoint_id).toBe(a!.checkpoint.id);
      expect(ta?.parentConfig).toBeUndefined();
      expectSameValue(tb?.checkpoint, b!.checkpoint, "listed checkpoint");
      expectSameValue(tb?.metadata, b!.metadata, "listed metadata");
    });

    it("with a checkpoint_id in the config, lists that checkpoint only (LangGraph's contract)", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 4);
      const named = chain[1]!.config;
      expect(idsOf(await listAll(saver, named))).toEqual([chain[1]!.checkpoint.id]);
      // Options still apply to it.
      expect(await listAll(saver, named, { before: chain[1]!.config })).toEqual([]);
      expect(idsOf(await listAll(saver, named, { before: chain[3]!.config }))).toEqual([
        chain[1]!.checkpoint.id,
      ]);
      expect(await listAll(saver, named, { filter: { absent: 1 } })).toEqual([]);
      const unknown = threadConfig(threadId, "", `${chain[3]!.checkpoint.id}-unknown`);
      expect(await listAll(saver, unknown)).toEqual([]);
    });

    it("lists nothing for an unknown thread", async () => {
      expect(await listAll(h.saver(), threadConfig(h.threadId("never-written")))).toEqual([]);
    });
  });
}
