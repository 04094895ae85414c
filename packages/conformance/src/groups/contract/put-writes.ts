import { InvalidIdentifierError, newCheckpointId, type SavepointError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import {
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import type { ContractContext } from "./context.js";

/** `putWrites`: task ids, order, idempotence, first write wins, special channels, refusals. */
export function putWritesTests({ h }: ContractContext): void {
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
}
