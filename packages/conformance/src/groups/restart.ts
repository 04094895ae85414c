import { CheckpointConflictError, type CheckpointSaver } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import {
  idsOf,
  listAll,
  makeCheckpoint,
  makeMetadata,
  type PutCheckpoint,
  putChain,
  threadConfig,
} from "../fixtures/checkpoints.js";
import { expectSameValue } from "../fixtures/equality.js";
import { requireSharedStorage, skipUnlessConditionalPut } from "../fixtures/skips.js";
import { SERIALIZER_SAMPLES } from "../fixtures/values.js";
import { type Harness, useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

/**
 * The "restart" group: everything one saver instance wrote is read back
 * unchanged by a new instance on the same storage (`create()` called again),
 * as after a process restart, and the new instance can go on from there.
 * When a second instance sees nothing the first wrote, the group fails once,
 * saying `create()` must return savers over the same storage; with
 * `durable: false` on the initializer, its tests are skipped.
 *
 * @example
 * ```ts
 * import { restartGroup } from "@savepoint/conformance";
 * restartGroup({ name: "MySaver", create: () => new MySaver(process.env.MY_URL) });
 * ```
 */
export function restartGroup(init: SaverInitializer): void {
  describe("restart", () => {
    const h = useHarness(init);

    // Writes a thread the way a run does: checkpoints in two namespaces, user
    // metadata, ordinary and special writes, and every serializer kind.
    // Plain JSON unless `rich`, so a serializer gap fails one test here, not all of them.
    async function writeThread(saver: CheckpointSaver, threadId: string, rich = false) {
      const values: Record<string, unknown> = rich
        ? Object.fromEntries(
            Object.entries(SERIALIZER_SAMPLES).map(([kind, make]) => [kind, make()]),
          )
        : { text: "plain", list: [1, "two", null], nested: { ok: true } };
      const main = await putChain(saver, threadId, 3, {
        values: (i) => (i === 2 ? values : { step: i, text: `step ${i}` }),
        metadata: (i) => ({ user: "ada", round: i, tags: ["restart", String(i)] }),
      });
      const sub = await putChain(saver, threadId, 2, {
        ns: "child:task-1",
        metadata: (i) => ({ sub: true, i }),
      });
      await saver.putWrites(
        main[1]!.config,
        [
          ["answer", 42],
          ["__interrupt__", [{ id: "i1", value: "ok?" }]],
        ],
        "task-1",
      );
      await saver.putWrites(main[2]!.config, Object.entries(values), "task-2", "~1");
      await saver.putWrites(main[2]!.config, [["__error__", { message: "boom" }]], "task-3");
      await saver.putWrites(sub[1]!.config, [["sub-result", { n: 1 }]], "task-sub");
      return { main, sub, values };
    }

    async function snapshot(saver: CheckpointSaver, threadId: string) {
      return {
        all: await listAll(saver, { configurable: { thread_id: threadId } }),
        main: await listAll(saver, threadConfig(threadId, "")),
        sub: await listAll(saver, threadConfig(threadId, "child:task-1")),
        latest: await saver.getTuple(threadConfig(threadId)),
        latestSub: await saver.getTuple(threadConfig(threadId, "child:task-1")),
      };
    }

    async function restarted(harness: Harness) {
      return harness.fresh();
    }

    it("create() gives savers over one storage: a new instance finds what the first put", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const [head] = await putChain(h.saver(), threadId, 1);
      const b = await restarted(h);
      expect((await b.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(head!.checkpoint.id);
    });

    it("a new instance reads every checkpoint and its metadata unchanged", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const { main, sub } = await writeThread(h.saver(), threadId);
      const b = await restarted(h);
      for (const [ns, chain] of [
        ["", main],
        ["child:task-1", sub],
      ] as [string, PutCheckpoint[]][]) {
        for (const c of chain) {
          const tuple = await b.getTuple(threadConfig(threadId, ns, c.checkpoint.id));
          expectSameValue(tuple?.checkpoint, c.checkpoint, `checkpoint ${ns}/${c.checkpoint.id}`);
          expectSameValue(tuple?.metadata, c.metadata, `metadata ${ns}/${c.checkpoint.id}`);
        }
      }
    });

    it("every serializer kind, as channel values and as writes, survives a restart", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const { main, values } = await writeThread(h.saver(), threadId, true);
      const b = await restarted(h);
      const tuple = await b.getTuple(threadConfig(threadId, "", main[2]!.checkpoint.id));
      expectSameValue(tuple?.checkpoint, main[2]!.checkpoint, "checkpoint with every kind");
      const writes = (tuple?.pendingWrites ?? []).filter(([task]) => task === "task-2");
      expectSameValue(
        writes,
        Object.entries(values).map(([k, v]) => ["task-2", k, v]),
        "writes with every kind",
      );
    });

    it("a new instance finds the same latest checkpoint and parents", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const { main, sub } = await writeThread(h.saver(), threadId);
      const b = await restarted(h);
      expect((await b.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(
        main[2]!.checkpoint.id,
      );
      expect((await b.getTuple(threadConfig(threadId, "child:task-1")))?.checkpoint.id).toBe(
        sub[1]!.checkpoint.id,
      );
      const tuple = await b.getTuple(threadConfig(threadId, "", main[2]!.checkpoint.id));
      expect(tuple?.parentConfig?.configurable?.checkpoint_id).toBe(main[1]!.checkpoint.id);
    });

    it("a new instance reads the same pending writes, in the same order", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const { main, values } = await writeThread(h.saver(), threadId);
      const b = await restarted(h);
      const t1 = await b.getTuple(threadConfig(threadId, "", main[1]!.checkpoint.id));
      expect(t1?.pendingWrites).toEqual([
        ["task-1", "__interrupt__", [{ id: "i1", value: "ok?" }]],
        ["task-1", "answer", 42],
      ]);
      const t2 = await b.getTuple(threadConfig(threadId, "", main[2]!.checkpoint.id));
      expectSameValue(
        t2?.pendingWrites,
        [
          ["task-3", "__error__", { message: "boom" }],
          ...Object.entries(values).map(([k, v]) => ["task-2", k, v]),
        ],
        "pending writes",
      );
    });

    it("a new instance lists the thread exactly as the writer does", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const a = h.saver();
      await writeThread(a, threadId);
      const before = await snapshot(a, threadId);
      const after = await snapshot(await restarted(h), threadId);
      expect(idsOf(after.all)).toEqual(idsOf(before.all));
      expect(after.all).toHaveLength(5);
      expectSameValue(after, before, "thread as listed after a restart");
    });

    it("a new instance filters and limits lists the same way", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const { main } = await writeThread(h.saver(), threadId);
      const b = await restarted(h);
      const filtered = await listAll(b, threadConfig(threadId, ""), {
        filter: { user: "ada", round: 1 },
      });
      expect(idsOf(filtered)).toEqual([main[1]!.checkpoint.id]);
      const limited = await listAll(b, threadConfig(threadId, ""), {
        limit: 1,
        before: main[2]!.config,
      });
      expect(idsOf(limited)).toEqual([main[1]!.checkpoint.id]);
    });

    it("an instance created before the writes sees them (no stale cache)", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const b = await restarted(h);
      expect(await b.getTuple(threadConfig(threadId))).toBeUndefined();
      const { main } = await writeThread(h.saver(), threadId);
      expect((await b.getTuple(threadConfig(threadId)))?.checkpoint.id).toBe(
        main[2]!.checkpoint.id,
      );
      await h.saver().putWrites(main[2]!.config, [["late", "write"]], "task-late");
      const writes = (await b.getTuple(threadConfig(threadId)))?.pendingWrites ?? [];
      expect(writes.some(([task, channel]) => task === "task-late" && channel === "late")).toBe(
        true,
      );
    });

    it("a new instance continues the thread: it puts a child of the old head", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const a = h.saver();
      const { main } = await writeThread(a, threadId);
      const b = await restarted(h);
      const head = main[2]!;
      const next = makeCheckpoint({ resumed: true }, head);
      const options = b.capabilities?.conditionalPut ? { ifHead: head.checkpoint.id } : undefined;
      const config = await b.put(
        head.config,
        next.checkpoint,
        makeMetadata({ by: "b" }, 3),
        next.newVersions,
        options,
      );
      expect(config.configurable?.checkpoint_id).toBe(next.checkpoint.id);
      const seenByA = await a.getTuple(threadConfig(threadId));
      expect(seenByA?.checkpoint.id).toBe(next.checkpoint.id);
      expect(seenByA?.parentConfig?.configurable?.checkpoint_id).toBe(head.checkpoint.id);
    });

    it("after a restart, a put from the stale head is refused (conditional put)", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const a = h.saver();
      skipUnlessConditionalPut(a, ctx);
      const threadId = h.threadId();
      const [head] = await putChain(a, threadId, 1);
      const b = await restarted(h);
      const fromB = makeCheckpoint({ by: "b" }, head);
      await b.put(head!.config, fromB.checkpoint, makeMetadata(), fromB.newVersions, {
        ifHead: head!.checkpoint.id,
      });
      const fromA = makeCheckpoint({ by: "a" }, head);
      const err = await a
        .put(head!.config, fromA.checkpoint, makeMetadata(), fromA.newVersions, {
          ifHead: head!.checkpoint.id,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(CheckpointConflictError);
      expect(await b.getTuple(threadConfig(threadId, "", fromA.checkpoint.id))).toBeUndefined();
    });

    it("a thread deleted by a new instance is gone for every instance", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId();
      const other = h.threadId();
      const a = h.saver();
      await writeThread(a, threadId);
      await putChain(a, other, 1);
      await (await restarted(h)).deleteThread(threadId);
      const c = await restarted(h);
      for (const saver of [a, c]) {
        expect(await listAll(saver, { configurable: { thread_id: threadId } })).toEqual([]);
        expect(await saver.getTuple(threadConfig(other))).toBeDefined();
      }
    });

    it("lists across threads written by another instance", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const tag = h.threadId("tag");
      const t1 = await putChain(h.saver(), h.threadId(), 1, { metadata: () => ({ tag }) });
      const t2 = await putChain(h.saver(), h.threadId(), 1, { metadata: () => ({ tag }) });
      const b = await restarted(h);
      expect(idsOf(await listAll(b, {}, { filter: { tag } }))).toEqual([
        t2[0]!.checkpoint.id,
        t1[0]!.checkpoint.id,
      ]);
    });
  });
}
