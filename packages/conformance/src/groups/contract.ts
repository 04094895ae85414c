import {
  type CheckpointSaver,
  InvalidIdentifierError,
  newCheckpointId,
  SavepointError,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import {
  ascendingIds,
  idsOf,
  listAll,
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../fixtures/checkpoints.js";
import { expectSameValue } from "../fixtures/equality.js";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

/**
 * The "contract" group: the LangGraph checkpoint-saver contract as Savepoint
 * keeps it (`put`, `getTuple`, `list`, `putWrites`, `deleteThread`), one
 * behaviour per test.
 *
 * @example
 * ```ts
 * import { contractGroup } from "@savepoint/conformance";
 * contractGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function contractGroup(init: SaverInitializer): void {
  describe("contract", () => {
    const h = useHarness(init);

    async function putOne(
      saver: CheckpointSaver,
      threadId: string,
      options: {
        ns?: string;
        values?: Record<string, unknown>;
        meta?: Record<string, unknown>;
      } = {},
    ) {
      const { checkpoint, newVersions } = makeCheckpoint(options.values ?? { x: 1 });
      const metadata = makeMetadata(options.meta);
      const config = await saver.put(
        threadConfig(threadId, options.ns ?? ""),
        checkpoint,
        metadata,
        newVersions,
      );
      return { checkpoint, metadata, config };
    }

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
        const childTuple = await saver.getTuple(
          threadConfig(threadId, "sub", child!.checkpoint.id),
        );
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
        expect(
          await saver.getTuple(threadConfig(threadId, "two", a!.checkpoint.id)),
        ).toBeUndefined();
      });

      it("has no pending writes when none were put", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        await putChain(saver, threadId, 1);
        expect((await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? []).toEqual([]);
      });
    });

    describe("putWrites", () => {
      it("attaches writes as [taskId, channel, value] with their task ids", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        await saver.putWrites(
          a!.config,
          [
            ["answer", { ok: true }],
            ["log", "line"],
          ],
          "task-1",
        );
        await saver.putWrites(a!.config, [["answer", 2]], "task-2");
        const tuple = await saver.getTuple(threadConfig(threadId));
        expect(tuple?.pendingWrites).toEqual([
          ["task-1", "answer", { ok: true }],
          ["task-1", "log", "line"],
          ["task-2", "answer", 2],
        ]);
      });

      it("orders writes by task path, then task id, then index", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        await saver.putWrites(
          a!.config,
          [
            ["c", 1],
            ["d", 2],
          ],
          "task-z",
          "~path-a",
        );
        await saver.putWrites(a!.config, [["c", 3]], "task-a", "~path-b");
        await saver.putWrites(a!.config, [["c", 4]], "task-b", "~path-a");
        const tuple = await saver.getTuple(threadConfig(threadId));
        expect(tuple?.pendingWrites).toEqual([
          ["task-b", "c", 4],
          ["task-z", "c", 1],
          ["task-z", "d", 2],
          ["task-a", "c", 3],
        ]);
      });

      it("is idempotent for the same (checkpoint, task, index)", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        const writes: [string, unknown][] = [
          ["x", 1],
          ["y", [2]],
        ];
        await saver.putWrites(a!.config, writes, "task-1");
        await saver.putWrites(a!.config, writes, "task-1");
        const tuple = await saver.getTuple(threadConfig(threadId));
        expect(tuple?.pendingWrites).toEqual([
          ["task-1", "x", 1],
          ["task-1", "y", [2]],
        ]);
      });

      it("keeps the first value of an ordinary write (first write wins)", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        await saver.putWrites(a!.config, [["x", "first"]], "task-1");
        await saver.putWrites(a!.config, [["x", "second"]], "task-1");
        await saver.putWrites(a!.config, [["y", "other channel, same index"]], "task-1");
        const tuple = await saver.getTuple(threadConfig(threadId));
        expect(tuple?.pendingWrites).toEqual([["task-1", "x", "first"]]);
      });

      it("adds writes at new positions of a retried call, keeping the old ones", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        await saver.putWrites(a!.config, [["x", 1]], "task-1");
        await saver.putWrites(
          a!.config,
          [
            ["x", 9],
            ["y", 2],
          ],
          "task-1",
        );
        expect((await saver.getTuple(threadConfig(threadId)))?.pendingWrites).toEqual([
          ["task-1", "x", 1],
          ["task-1", "y", 2],
        ]);
      });

      it("replaces writes to the special channels (__error__, __interrupt__, __resume__, __scheduled__)", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        for (const channel of ["__error__", "__interrupt__", "__resume__", "__scheduled__"]) {
          await saver.putWrites(a!.config, [[channel, `${channel}-old`]], "task-1");
          await saver.putWrites(a!.config, [[channel, `${channel}-new`]], "task-1");
        }
        const tuple = await saver.getTuple(threadConfig(threadId));
        // Fixed indexes: __resume__ -4, __interrupt__ -3, __scheduled__ -2, __error__ -1.
        expect(tuple?.pendingWrites).toEqual([
          ["task-1", "__resume__", "__resume__-new"],
          ["task-1", "__interrupt__", "__interrupt__-new"],
          ["task-1", "__scheduled__", "__scheduled__-new"],
          ["task-1", "__error__", "__error__-new"],
        ]);
      });

      it("stores special writes at their fixed index, before the task's ordinary writes", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a] = await putChain(saver, threadId, 1);
        await saver.putWrites(
          a!.config,
          [
            ["out", "value"],
            ["__error__", { message: "boom" }],
          ],
          "task-1",
        );
        await saver.putWrites(
          a!.config,
          [
            ["out", "other"],
            ["__error__", { message: "again" }],
          ],
          "task-1",
        );
        expect((await saver.getTuple(threadConfig(threadId)))?.pendingWrites).toEqual([
          ["task-1", "__error__", { message: "again" }],
          ["task-1", "out", "value"],
        ]);
      });

      it("keeps writes with the checkpoint they were put against", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const [a, b] = await putChain(saver, threadId, 2);
        await saver.putWrites(a!.config, [["x", "for a"]], "task-1");
        await saver.putWrites(b!.config, [["x", "for b"]], "task-1");
        const ta = await saver.getTuple(threadConfig(threadId, "", a!.checkpoint.id));
        const tb = await saver.getTuple(threadConfig(threadId, "", b!.checkpoint.id));
        expect(ta?.pendingWrites).toEqual([["task-1", "x", "for a"]]);
        expect(tb?.pendingWrites).toEqual([["task-1", "x", "for b"]]);
      });

      it("keeps writes of one namespace out of another with the same checkpoint id", async () => {
        const saver = h.saver();
        const threadId = h.threadId();
        const id = newCheckpointId();
        for (const ns of ["", "sub"]) {
          const c = makeCheckpoint({ ns }, undefined, id);
          await saver.put(threadConfig(threadId, ns), c.checkpoint, makeMetadata(), c.newVersions);
        }
        await saver.putWrites(threadConfig(threadId, "sub", id), [["x", "sub only"]], "task-1");
        expect((await saver.getTuple(threadConfig(threadId, "", id)))?.pendingWrites ?? []).toEqual(
          [],
        );
        expect((await saver.getTuple(threadConfig(threadId, "sub", id)))?.pendingWrites).toEqual([
          ["task-1", "x", "sub only"],
        ]);
      });

      it("rejects a config without checkpoint_id with InvalidIdentifierError", async () => {
        const threadId = h.threadId();
        await putChain(h.saver(), threadId, 1);
        const err = await h
          .saver()
          .putWrites(threadConfig(threadId), [["x", 1]], "task-1")
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(InvalidIdentifierError);
        expect((err as SavepointError).code).toBe("INVALID_IDENTIFIER");
      });

      it("rejects a config without thread_id with InvalidIdentifierError", async () => {
        const err = await h
          .saver()
          .putWrites(
            { configurable: { checkpoint_id: newCheckpointId(), checkpoint_ns: "" } },
            [["x", 1]],
            "t",
          )
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(InvalidIdentifierError);
        expect((err as SavepointError).code).toBe("INVALID_IDENTIFIER");
      });
    });

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
        expect(await listAll(saver, threadConfig(threadId), { filter: { absent: "x" } })).toEqual(
          [],
        );
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

      it("lists nothing for an unknown thread", async () => {
        expect(await listAll(h.saver(), threadConfig(h.threadId("never-written")))).toEqual([]);
      });
    });

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

    describe("ids and versions", () => {
      it("rejects a config without thread_id in getTuple and put with INVALID_IDENTIFIER", async () => {
        const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
        const attempts = [
          () => h.saver().getTuple({ configurable: { checkpoint_ns: "" } }),
          () => h.saver().put({ configurable: {} }, checkpoint, makeMetadata(), newVersions),
        ];
        for (const attempt of attempts) {
          const err = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(SavepointError);
          expect((err as SavepointError).code).toBe("INVALID_IDENTIFIER");
        }
      });

      it("getNextVersion, when present, returns a greater version each time", (ctx) => {
        const saver = h.saver();
        if (!saver.getNextVersion) return ctx.skip("the saver has no getNextVersion (optional)");
        const v1 = saver.getNextVersion(undefined);
        const v2 = saver.getNextVersion(v1);
        const v3 = saver.getNextVersion(v2);
        if (typeof v1 === "number") {
          expect(v1 < (v2 as number) && (v2 as number) < (v3 as number)).toBe(true);
        } else {
          expect(String(v1) < String(v2) && String(v2) < String(v3)).toBe(true);
        }
      });
    });
  });
}
