import {
  type CheckpointSaver,
  InvalidArgumentError,
  InvalidIdentifierError,
  type TaskWritesEntry,
  UnserializableValueError,
} from "@savepoint/core";
import { describe, expect, it, type TestContext } from "vitest";
import {
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import type { ContractContext } from "./context.js";

// A batch that exercises every rule of putWrites at once: two tasks, a path,
// a task written twice (an ordinary channel keeps its first value, a special
// one its last), and a value that is not plain JSON.
const BATCH: TaskWritesEntry[] = [
  { taskId: "0:first", writes: [["__return__", { at: new Date(0), n: 1 }]] },
  {
    taskId: "1:second",
    taskPath: "~p",
    writes: [
      ["out", "a"],
      ["log", ["x"]],
    ],
  },
  { taskId: "1:second", taskPath: "~p", writes: [["out", "ignored"]] },
  { taskId: ":root", writes: [["__error__", { message: "first" }]] },
  { taskId: ":root", writes: [["__error__", { message: "last" }]] },
];

/** The saver's `putWritesBatch`, skipped on a saver without it (the method is optional). */
function batching(ctx: TestContext, saver: CheckpointSaver) {
  if (typeof saver.putWritesBatch !== "function") ctx.skip();
  return saver.putWritesBatch!.bind(saver);
}

/** `putWritesBatch`: the same result as `putWrites` per entry, with the record, all or nothing. */
export function putWritesBatchTests({ h }: ContractContext): void {
  describe("putWritesBatch", () => {
    it("stores what putWrites entry by entry stores", async (ctx) => {
      const saver = h.saver();
      const putWritesBatch = batching(ctx, saver);
      const [one, other] = [h.threadId(), h.threadId()];
      const [a] = await putChain(saver, one, 1);
      const [b] = await putChain(saver, other, 1);
      // A write already there (a retried run) stays, as putWrites keeps it.
      await saver.putWrites(a!.config, [["out", "earlier"]], "1:second", "~p");
      await saver.putWrites(b!.config, [["out", "earlier"]], "1:second", "~p");
      await putWritesBatch(a!.config, BATCH);
      for (const entry of BATCH)
        await saver.putWrites(b!.config, entry.writes, entry.taskId, entry.taskPath);
      const batched = (await saver.getTuple(threadConfig(one)))?.pendingWrites;
      const separate = (await saver.getTuple(threadConfig(other)))?.pendingWrites;
      expect(batched).toStrictEqual(separate);
      expect(batched).toContainEqual(["1:second", "out", "earlier"]);
      expect(batched).toContainEqual([":root", "__error__", { message: "last" }]);
      expect(batched).toContainEqual(["0:first", "__return__", { at: new Date(0), n: 1 }]);
    });

    it("changes the thread's record with the writes", async (ctx) => {
      const saver = h.saver();
      const putWritesBatch = batching(ctx, saver);
      if (!saver.capabilities?.threads || !saver.listThreads) ctx.skip();
      const threadId = h.threadId();
      const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
      const entrypoint = "batchRecord";
      const config = await saver.put(
        threadConfig(threadId),
        checkpoint,
        makeMetadata(),
        newVersions,
        {
          thread: { entrypoint, status: "running", lease: { owner: "run-1", ms: 60_000 } },
        },
      );
      const interrupts = [
        { id: "0123456789abcdef0123456789abcdef", value: { essay: "<b>text</b>" } },
      ];
      await putWritesBatch(
        config,
        [
          { taskId: "0:write", writes: [["__return__", "essay"]] },
          { taskId: ":batchRecord", writes: [["__interrupt__", interrupts]] },
        ],
        { thread: { entrypoint, status: "interrupted", interrupts } },
      );
      const [record] = await saver.listThreads!({ entrypoint, threadId, limit: 1 });
      expect(record).toMatchObject({ threadId, status: "interrupted", interrupts });
      const tuple = await saver.getTuple(threadConfig(threadId));
      expect(tuple?.pendingWrites).toContainEqual(["0:write", "__return__", "essay"]);
      expect(tuple?.pendingWrites).toContainEqual([":batchRecord", "__interrupt__", interrupts]);
    });

    it("stores nothing of a batch it refuses", async (ctx) => {
      const saver = h.saver();
      const putWritesBatch = batching(ctx, saver);
      const threadId = h.threadId();
      const [a] = await putChain(saver, threadId, 1);
      const unsavable = [
        { taskId: "0:fine", writes: [["__return__", "kept?"]] },
        { taskId: "1:bad", writes: [["__return__", () => "a function"]] },
      ] as TaskWritesEntry[];
      await expect(putWritesBatch(a!.config, unsavable)).rejects.toBeInstanceOf(
        UnserializableValueError,
      );
      const tuple = await saver.getTuple(threadConfig(threadId));
      expect(tuple?.pendingWrites ?? []).toStrictEqual([]);
    });

    it("refuses what is not a batch, naming the entry", async (ctx) => {
      const saver = h.saver();
      const putWritesBatch = batching(ctx, saver);
      const [a] = await putChain(saver, h.threadId(), 1);
      await expect(putWritesBatch(a!.config, "nope" as never)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        putWritesBatch(a!.config, [{ taskId: "t", writes: [] }, { taskId: "u" }] as never),
      ).rejects.toThrow(/entry 1/);
      await expect(
        putWritesBatch(a!.config, [{ taskId: 42, writes: [["x", 1]] }] as never),
      ).rejects.toBeInstanceOf(InvalidIdentifierError);
      await expect(
        putWritesBatch(threadConfig(h.threadId()), [{ taskId: "t", writes: [["x", 1]] }]),
      ).rejects.toBeInstanceOf(InvalidIdentifierError);
    });

    it("accepts an empty batch and stores nothing", async (ctx) => {
      const saver = h.saver();
      const putWritesBatch = batching(ctx, saver);
      const threadId = h.threadId();
      const [a] = await putChain(saver, threadId, 1);
      await putWritesBatch(a!.config, []);
      const tuple = await saver.getTuple(threadConfig(threadId));
      expect(tuple?.pendingWrites ?? []).toStrictEqual([]);
    });
  });
}
