import { randomUUID } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { type RedisSaver, threadIndexKey, threadKeys } from "../../src/index.js";
import { cfg, collect, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";
import type { BehaviourContext } from "./context.js";

/** The saver's behaviour: list: one thread, every namespace, across threads. */
export function describeList(ctx: BehaviourContext): void {
  let client: Redis | Cluster;
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  beforeAll(() => {
    ({ client, saver } = ctx);
  });

  describe("list", () => {
    it("lists newest first, with limit, before and filter", async () => {
      const t = thread();
      let parent: string | undefined;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const c = makeCheckpoint({ i }, parent);
        await saver.put(
          cfg(t, parent),
          c,
          makeMetadata({ step: i, parity: i % 2 ? "odd" : "even", tags: { i: [i % 3] } }),
          newVersionsOf(c),
        );
        ids.push(c.id);
        parent = c.id;
      }
      const newest = [...ids].reverse();
      expect((await collect(saver.list(cfg(t)))).map((x) => x.checkpoint.id)).toEqual(newest);
      expect((await collect(saver.list(cfg(t), { limit: 2 }))).map((x) => x.checkpoint.id)).toEqual(
        newest.slice(0, 2),
      );
      expect(
        (await collect(saver.list(cfg(t), { before: cfg(t, ids[3]) }))).map((x) => x.checkpoint.id),
      ).toEqual(newest.slice(4));
      expect(
        (await collect(saver.list(cfg(t), { filter: { parity: "odd" } }))).map(
          (x) => x.metadata?.step,
        ),
      ).toEqual([5, 3, 1]);
      expect(
        (await collect(saver.list(cfg(t), { filter: { parity: "even", tags: { i: [0] } } }))).map(
          (x) => x.metadata?.step,
        ),
      ).toEqual([6, 0]);
      expect(await collect(saver.list(cfg(t), { filter: { tags: { i: 0 } } }))).toEqual([]);
      expect(await collect(saver.list(cfg(t), { limit: 0 }))).toEqual([]);
      const one = await collect(saver.list(cfg(t, ids[2])));
      expect(one.map((x) => x.checkpoint.id)).toEqual([ids[2]]);
      expect(one[0]?.parentConfig?.configurable?.checkpoint_id).toBe(ids[1]);
    });

    it("includes pending writes in each tuple", async () => {
      const t = thread();
      const c = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      await saver.putWrites(c, [["a", 1]], "task");
      const [tuple] = await collect(saver.list(cfg(t)));
      expect(tuple?.pendingWrites).toEqual([["task", "a", 1]]);
    });

    it("pages through long threads, honouring limit with a filter", async () => {
      const t = thread();
      let parent: string | undefined;
      for (let i = 0; i < 250; i++) {
        const c = makeCheckpoint({}, parent);
        await saver.put(cfg(t, parent), c, makeMetadata({ step: i, mod: i % 10 }), {});
        parent = c.id;
      }
      expect(await collect(saver.list(cfg(t)))).toHaveLength(250);
      const steps = (await collect(saver.list(cfg(t), { filter: { mod: 3 }, limit: 20 }))).map(
        (x) => x.metadata?.step,
      );
      expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => 243 - 10 * i));
      const all = (await collect(saver.list(cfg(t), { filter: { mod: 0 } }))).map(
        (x) => x.metadata?.step,
      );
      expect(all).toHaveLength(25);
    });

    it("lists every namespace of a thread when checkpoint_ns is left out", async () => {
      const t = thread();
      const a = makeCheckpoint();
      const b = makeCheckpoint();
      const c = makeCheckpoint();
      await saver.put(cfg(t), a, makeMetadata(), {});
      await saver.put(cfg(t, undefined, "sub"), b, makeMetadata(), {});
      await saver.put(cfg(t), c, makeMetadata(), {});
      const all = await collect(saver.list({ configurable: { thread_id: t } }));
      expect(all.map((x) => [x.checkpoint.id, x.config.configurable?.checkpoint_ns])).toEqual([
        [c.id, ""],
        [b.id, "sub"],
        [a.id, ""],
      ]);
      expect(
        (await collect(saver.list(cfg(t, undefined, "")))).map((x) => x.checkpoint.id),
      ).toEqual([c.id, a.id]);
      expect(
        (
          await collect(saver.list({ configurable: { thread_id: t } }, { before: cfg(t, c.id) }))
        ).map((x) => x.checkpoint.id),
      ).toEqual([b.id, a.id]);
    });

    it("lists across threads without a thread id, newest first over all threads", async () => {
      const mark = randomUUID();
      const threads = [thread("x"), thread("y"), thread("z")];
      const ids: string[] = [];
      // Interleaved, so a per-thread order would differ from the global one.
      for (let round = 0; round < 3; round++) {
        for (const t of threads) {
          const c = makeCheckpoint();
          await saver.put(cfg(t), c, makeMetadata({ mark, round }), {});
          ids.push(c.id);
        }
      }
      const newest = [...ids].reverse();
      const found = await collect(saver.list({}, { filter: { mark } }));
      expect(found.map((x) => x.checkpoint.id)).toEqual(newest);
      expect(new Set(found.map((x) => x.config.configurable?.thread_id))).toEqual(new Set(threads));
      const limited = await collect(
        saver.list({ configurable: {} }, { filter: { mark }, limit: 4 }),
      );
      expect(limited.map((x) => x.checkpoint.id)).toEqual(newest.slice(0, 4));
      const older = await collect(
        saver.list({}, { filter: { mark, round: 1 }, before: cfg(threads[0]!, ids[5]) }),
      );
      expect(older.map((x) => x.checkpoint.id)).toEqual([ids[4], ids[3]]);
      await saver.deleteThread(threads[0]!);
      expect(await collect(saver.list({}, { filter: { mark } }))).toHaveLength(6);
    });

    it("drops expired or removed threads from the thread index when listing", async () => {
      const t = thread();
      await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      const keys = threadKeys(prefix, t);
      expect(await client.zscore(threadIndexKey(prefix), keys.threadHex)).toBe("0");
      await client.del(...keys.all); // as if the thread's TTL ran out
      await collect(saver.list({}));
      expect(await client.zscore(threadIndexKey(prefix), keys.threadHex)).toBeNull();
      // The same saver (which remembers it indexed the thread) re-creates it.
      await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
      expect(await client.zscore(threadIndexKey(prefix), keys.threadHex)).toBe("0");
    });
  });
}
