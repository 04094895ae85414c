import { CheckpointConflictError, newCheckpointId } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisSaver } from "../../src/index.js";
import { cfg, collect, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";
import type { BehaviourContext } from "./context.js";

/** The saver's behaviour: put, getTuple and ifHead. */
export function describePutAndGet(ctx: BehaviourContext): void {
  let client: Redis | Cluster;
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  beforeAll(() => {
    ({ client, saver } = ctx);
  });

  describe("put and getTuple", () => {
    it("round-trips a checkpoint, its metadata and its parent", async () => {
      const t = thread();
      const first = makeCheckpoint({ topic: "cats" });
      const c1 = await saver.put(
        cfg(t),
        first,
        makeMetadata({ source: "input", step: -1 }),
        newVersionsOf(first),
      );
      expect(c1).toEqual({
        configurable: { thread_id: t, checkpoint_ns: "", checkpoint_id: first.id },
      });
      const second = makeCheckpoint({ essay: "An essay about cats" }, first.id);
      const c2 = await saver.put(c1, second, makeMetadata({ step: 1 }), newVersionsOf(second));

      const latest = await saver.getTuple(cfg(t));
      expect(latest?.config).toEqual(c2);
      expect(latest?.checkpoint).toEqual(second);
      expect(latest?.metadata).toEqual(makeMetadata({ step: 1 }));
      expect(latest?.parentConfig).toEqual(c1);
      expect(latest?.pendingWrites).toEqual([]);

      const root = await saver.getTuple(cfg(t, first.id));
      expect(root?.checkpoint).toEqual(first);
      expect(root?.metadata).toEqual(makeMetadata({ source: "input", step: -1 }));
      expect(root).not.toHaveProperty("parentConfig");
    });

    it("returns undefined for an unknown thread, checkpoint or namespace", async () => {
      const t = thread();
      expect(await saver.getTuple(cfg(t))).toBeUndefined();
      const c = makeCheckpoint();
      await saver.put(cfg(t), c, makeMetadata(), {});
      expect(await saver.getTuple(cfg(t, newCheckpointId()))).toBeUndefined();
      expect(await saver.getTuple(cfg(t, undefined, "other"))).toBeUndefined();
    });

    it("takes the greatest id as latest, whatever the order of the puts", async () => {
      const t = thread();
      const ids = [newCheckpointId(), newCheckpointId(), newCheckpointId()];
      for (const id of [ids[1]!, ids[2]!, ids[0]!]) {
        await saver.put(cfg(t), { ...makeCheckpoint(), id }, makeMetadata(), {});
      }
      expect((await saver.getTuple(cfg(t)))?.checkpoint.id).toBe(ids[2]);
    });

    it("replaces a checkpoint put again with the same id", async () => {
      const t = thread();
      const c = makeCheckpoint({ n: 1 });
      await saver.put(cfg(t), c, makeMetadata({ n: 1 }), newVersionsOf(c));
      const again = { ...c, channel_values: { n: 2 }, channel_versions: { n: "2" } };
      await saver.put(cfg(t), again, makeMetadata({ n: 2 }), { n: "2" });
      const got = await saver.getTuple(cfg(t));
      expect(got?.checkpoint.channel_values).toEqual({ n: 2 });
      expect(got?.checkpoint.channel_versions).toEqual({ n: "2" });
      expect(got?.metadata?.n).toBe(2);
      expect(await collect(saver.list(cfg(t)))).toHaveLength(1);
    });

    it("keeps namespaces apart", async () => {
      const t = thread();
      const a = makeCheckpoint({ ns: "root" });
      const b = makeCheckpoint({ ns: "child" });
      await saver.put(cfg(t), a, makeMetadata(), {});
      await saver.put(cfg(t, undefined, "child:1"), b, makeMetadata(), {});
      expect((await saver.getTuple(cfg(t)))?.checkpoint.id).toBe(a.id);
      const child = await saver.getTuple(cfg(t, undefined, "child:1"));
      expect(child?.checkpoint.id).toBe(b.id);
      expect(child?.config.configurable?.checkpoint_ns).toBe("child:1");
    });

    it("keeps the first value stored for a (channel, version), and versions apart", async () => {
      const t = thread();
      const c = makeCheckpoint({ n: 1 });
      await saver.put(cfg(t), c, makeMetadata(), newVersionsOf(c));
      // Same version, another value: the stored one answers for both checkpoints.
      const same = makeCheckpoint({ n: 2 }, c.id);
      same.channel_versions = { ...c.channel_versions };
      await saver.put(cfg(t, c.id), same, makeMetadata(), newVersionsOf(same));
      expect((await saver.getTuple(cfg(t)))?.checkpoint.channel_values).toEqual({ n: 1 });
      // A version of its own keeps its own value; the older checkpoint still reads its.
      const next = makeCheckpoint({ n: 3 }, same.id);
      await saver.put(cfg(t, same.id), next, makeMetadata(), newVersionsOf(next));
      expect((await saver.getTuple(cfg(t)))?.checkpoint.channel_values).toEqual({ n: 3 });
      expect((await saver.getTuple(cfg(t, c.id)))?.checkpoint.channel_values).toEqual({ n: 1 });
    });

    it("uses core's unique versions: a counter and a random part", () => {
      const first = saver.getNextVersion(undefined) as string;
      expect(first).toMatch(/^0{15}1\.[0-9a-z]{9,}$/);
      expect(saver.getNextVersion(first)).toMatch(/^0{15}2\./);
      expect(saver.getNextVersion(4)).toMatch(/^0{15}5\./);
      expect(saver.getNextVersion(first)).not.toBe(saver.getNextVersion(first));
      expect(saver.capabilities.conditionalPut).toBe(true);
    });
  });

  describe("ifHead", () => {
    it("null commits only on an empty (thread, namespace)", async () => {
      const t = thread();
      const first = makeCheckpoint();
      await saver.put(cfg(t), first, makeMetadata(), {}, { ifHead: null });
      const other = makeCheckpoint();
      const err = await saver
        .put(cfg(t), other, makeMetadata(), {}, { ifHead: null })
        .catch((e) => e);
      expect(err).toBeInstanceOf(CheckpointConflictError);
      expect(err).toMatchObject({
        code: "CHECKPOINT_CONFLICT",
        threadId: t,
        expectedHead: null,
        actualHead: first.id,
      });
      expect(await saver.getTuple(cfg(t, other.id))).toBeUndefined();
      // Another namespace of the same thread is still empty.
      await saver.put(
        cfg(t, undefined, "sub"),
        makeCheckpoint(),
        makeMetadata(),
        {},
        { ifHead: null },
      );
    });

    it("an id commits only while it is the head, and stores nothing otherwise", async () => {
      const t = thread();
      const a = makeCheckpoint();
      const ca = await saver.put(cfg(t), a, makeMetadata(), {});
      const b = makeCheckpoint(undefined, a.id);
      await saver.put(ca, b, makeMetadata(), {}, { ifHead: a.id });
      const stale = makeCheckpoint(undefined, b.id);
      const err = await saver.put(ca, stale, makeMetadata(), {}, { ifHead: a.id }).catch((e) => e);
      expect(err).toBeInstanceOf(CheckpointConflictError);
      expect(err).toMatchObject({ expectedHead: a.id, actualHead: b.id });
      expect(await saver.getTuple(cfg(t, stale.id))).toBeUndefined();
      expect((await collect(saver.list(cfg(t)))).map((x) => x.checkpoint.id)).toEqual([b.id, a.id]);
      const none = await saver
        .put(cfg(thread()), makeCheckpoint(), makeMetadata(), {}, { ifHead: a.id })
        .catch((e) => e);
      expect(none).toMatchObject({ expectedHead: a.id, actualHead: null });
    });

    it("lets exactly one of 16 concurrent puts with the same head commit", async () => {
      const t = thread();
      const head = makeCheckpoint();
      const ch = await saver.put(cfg(t), head, makeMetadata(), {});
      const others = [1, 2, 3].map(() => new RedisSaver(client, { prefix }));
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          (i % 4 === 0 ? saver : others[i % 3]!).put(
            ch,
            makeCheckpoint({ i }, head.id),
            makeMetadata(),
            {},
            {
              ifHead: head.id,
            },
          ),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(rejected).toHaveLength(15);
      for (const r of rejected) expect(r.reason).toBeInstanceOf(CheckpointConflictError);
      expect(await collect(saver.list(cfg(t)))).toHaveLength(2);
    });
  });
}
