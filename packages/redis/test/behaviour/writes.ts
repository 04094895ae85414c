import { InvalidIdentifierError } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import type { RedisSaver } from "../../src/index.js";
import { cfg, collect, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";
import { type BehaviourContext, recordCommands } from "./context.js";

/** The saver's behaviour: putWrites, and the round trips of each call. */
export function describeWrites(ctx: BehaviourContext): void {
  let client: Redis | Cluster;
  let saver: RedisSaver;
  const { thread } = ctx;
  beforeAll(() => {
    ({ client, saver } = ctx);
  });

  describe("putWrites", () => {
    it("stores writes by (checkpoint, task, idx): first wins, special channels replace", async () => {
      const t = thread();
      const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      await saver.putWrites(
        c,
        [
          ["a", 1],
          ["b", 2],
          ["__error__", new Error("first")],
        ],
        "task-1",
      );
      await saver.putWrites(
        c,
        [
          ["a", 10],
          ["b", 20],
          ["__error__", new TypeError("second")],
        ],
        "task-1",
      );
      await saver.putWrites(c, [["__interrupt__", { ask: "ok?" }]], "task-2", "path-b");
      await saver.putWrites(c, [["x", "first"]], "task-0", "path-z");
      const writes = (await saver.getTuple(c))?.pendingWrites ?? [];
      const shown = writes.map(([task, channel, value]) => [
        task,
        channel,
        value instanceof Error ? `${value.name}: ${value.message}` : value,
      ]);
      // (task_path, task_id, idx): "" < "path-b" < "path-z"; __error__ is idx -1.
      expect(shown).toEqual([
        ["task-1", "__error__", "TypeError: second"],
        ["task-1", "a", 1],
        ["task-1", "b", 2],
        ["task-2", "__interrupt__", { ask: "ok?" }],
        ["task-0", "x", "first"],
      ]);
    });

    it("orders writes by task path, task id (code points) and idx (numerically)", async () => {
      const t = thread();
      const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      const many = Array.from({ length: 12 }, (_, i): [string, unknown] => [`c${i}`, i]);
      await saver.putWrites(c, many, "b", "p");
      await saver.putWrites(c, [["z", "emoji"]], "\u{1F680}", "p");
      await saver.putWrites(c, [["z", "bmp"]], "\uFFFF", "p");
      await saver.putWrites(c, [["z", "a"]], "a", "p");
      const writes = (await saver.getTuple(c))?.pendingWrites ?? [];
      expect(writes.map(([task]) => task)).toEqual([
        "a",
        ...many.map(() => "b"),
        "\uFFFF",
        "\u{1F680}",
      ]);
      expect(writes.filter(([task]) => task === "b").map(([, , v]) => v)).toEqual(
        many.map(([, v]) => v),
      );
    });

    it("attaches writes to their checkpoint only", async () => {
      const t = thread();
      const c1 = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      const c2 = await saver.put(c1, makeCheckpoint(), makeMetadata(), {});
      await saver.putWrites(c1, [["one", 1]], "t");
      await saver.putWrites(c2, [["two", 2]], "t");
      expect((await saver.getTuple(c1))?.pendingWrites).toEqual([["t", "one", 1]]);
      expect((await saver.getTuple(c2))?.pendingWrites).toEqual([["t", "two", 2]]);
    });

    it("needs the checkpoint id", async () => {
      await expect(saver.putWrites(cfg(thread()), [["a", 1]], "t")).rejects.toBeInstanceOf(
        InvalidIdentifierError,
      );
    });

    it("stores 10,000 writes in one round trip", async () => {
      const t = thread();
      const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      const writes = Array.from({ length: 10_000 }, (_, i): [string, unknown] => [`ch${i}`, { i }]);
      // Loads the script on this thread's node first (a Cluster node has its own script cache).
      await saver.putWrites(c, [["warm", 0]], "warm-up");
      const rec = recordCommands(client);
      try {
        await saver.putWrites(c, writes, "bulk");
      } finally {
        rec.stop();
      }
      expect(rec.names).toEqual(["evalsha"]);
      const got = ((await saver.getTuple(c))?.pendingWrites ?? []).filter(
        ([task]) => task === "bulk",
      );
      expect(got).toHaveLength(10_000);
      expect(got[9_999]).toEqual(["bulk", "ch9999", { i: 9_999 }]);
    });
  });

  describe("round trips and commands", () => {
    it("puts, writes and reads in one round trip each, never with KEYS or SCAN", async () => {
      const t = thread();
      const first = makeCheckpoint({ topic: "cats" });
      const c1 = await saver.put(cfg(t), first, makeMetadata(), newVersionsOf(first));
      // Loads every script on this thread's node (a Cluster node has its own script cache):
      // a plain task write and one carrying an interrupt run different scripts.
      await saver.putWrites(c1, [["warm", 0]], "warm-up");
      await saver.putWrites(c1, [["__interrupt__", 0]], "warm-up");
      await saver.getTuple(c1);
      await collect(saver.list(c1, { limit: 1 }));
      const rec = recordCommands(client);
      try {
        // "topic" is carried over from the first checkpoint, "essay" is new.
        const second = makeCheckpoint({ topic: "cats", essay: "An essay" }, first.id);
        second.channel_versions.topic = first.channel_versions.topic!;
        const c2 = await saver.put(
          c1,
          second,
          makeMetadata(),
          { essay: second.channel_versions.essay! },
          { ifHead: c1.configurable?.checkpoint_id as string },
        );
        expect(rec.names).toEqual(["evalsha"]);
        await saver.putWrites(
          c2,
          [
            ["a", 1],
            ["__interrupt__", 2],
          ],
          "task",
        );
        expect(rec.names).toEqual(["evalsha", "evalsha"]);
        const latest = await saver.getTuple(cfg(t));
        expect(rec.names).toEqual(["evalsha", "evalsha", "evalsha"]);
        expect(latest?.checkpoint.channel_values).toEqual({ topic: "cats", essay: "An essay" });
        const [listed] = await collect(saver.list(cfg(t), { limit: 1 }));
        expect(rec.names).toHaveLength(4);
        expect(listed?.checkpoint.channel_values).toEqual({ topic: "cats", essay: "An essay" });
        await collect(saver.list(cfg(t), { filter: { step: 0 } }));
        await collect(saver.list({}, { limit: 3 }));
        await saver.deleteThread(t);
      } finally {
        rec.stop();
      }
      expect(rec.names.filter((n) => n === "keys" || n === "scan")).toEqual([]);
    });
  });
}
