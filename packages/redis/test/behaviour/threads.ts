import { randomUUID } from "node:crypto";
import { CheckpointConflictError, type ThreadUpdate } from "@savepoint/core";
import type { Cluster, Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { type RedisSaver, threadKeys, threadListKey } from "../../src/index.js";
import { cfg, makeCheckpoint, makeMetadata, newVersionsOf } from "../helpers.js";
import type { BehaviourContext } from "./context.js";

/**
 * The saver's behaviour: thread records and their listing sets, read through
 * a raw client (what is stored, not only what the saver says), including the
 * stale entries a Cluster's separate slots can leave.
 */
export function describeThreads(ctx: BehaviourContext): void {
  let client: Redis | Cluster;
  let saver: RedisSaver;
  const { prefix, thread } = ctx;
  beforeAll(() => {
    ({ client, saver } = ctx);
  });

  const workflow = () => `wf-${randomUUID().slice(0, 8)}`;
  const running = (entrypoint: string, ms = 60_000): ThreadUpdate => ({
    entrypoint,
    status: "running",
    lease: { owner: "me", ms },
  });
  const list = (entrypoint: string, extra: object = {}) =>
    saver.listThreads({ entrypoint, limit: 100, ...extra });
  const ids = async (entrypoint: string, extra: object = {}) =>
    (await list(entrypoint, extra)).map((t) => t.threadId);
  // A thread with one checkpoint recorded with `update`; its checkpoint id.
  async function start(t: string, update: ThreadUpdate, parent?: string): Promise<string> {
    const c = makeCheckpoint({ t }, parent);
    await saver.put(cfg(t, parent), c, makeMetadata(), newVersionsOf(c), {
      ifHead: parent ?? null,
      thread: update,
    });
    return c.id;
  }

  describe("thread records", () => {
    it("keeps the record in the thread's slot, expiring and deleted with it", async () => {
      const wf = workflow();
      const t = thread("{rec}:*");
      await start(t, running(wf));
      const keys = threadKeys(prefix, t);
      expect(await client.hget(keys.record, "s")).toBe("running");
      if (client.isCluster) {
        const slot = (k: string) => (client as Cluster).cluster("KEYSLOT", k);
        expect(await slot(keys.record)).toBe(await slot(keys.byNamespace));
      }
      await saver.deleteThread(t);
      expect(await client.exists(keys.record)).toBe(0);
      for (const part of ["all", "running"]) {
        expect(await client.zscore(threadListKey(prefix, wf, part), keys.threadHex)).toBeNull();
      }
    });

    it("a put refused by ifHead leaves the record exactly as it was", async () => {
      const wf = workflow();
      const t = thread();
      const first = await start(t, running(wf));
      const record = threadKeys(prefix, t).record;
      const before = await client.hgetall(record);
      const c = makeCheckpoint({ late: true }, first);
      await expect(
        saver.put(cfg(t, first), c, makeMetadata(), newVersionsOf(c), {
          ifHead: "not-the-head",
          thread: { entrypoint: wf, status: "done", metadata: { lost: true } },
        }),
      ).rejects.toBeInstanceOf(CheckpointConflictError);
      expect(await client.hgetall(record)).toEqual(before);
      const [listed] = await list(wf);
      expect(listed).toMatchObject({ status: "running", checkpointId: first, metadata: {} });
      // The entry sent alongside the refused put is stale, and is dropped when met.
      expect(await ids(wf, { status: ["done"] })).toEqual([]);
      const doneKey = threadListKey(prefix, wf, "done");
      expect(await client.zscore(doneKey, threadKeys(prefix, t).threadHex)).toBeNull();
    });

    it("a renewal addressed to a checkpoint that is no longer the latest changes nothing", async () => {
      const wf = workflow();
      const t = thread();
      const first = await start(t, running(wf));
      const second = await start(
        t,
        { entrypoint: wf, status: "interrupted", interrupts: [] },
        first,
      );
      const record = threadKeys(prefix, t).record;
      const before = await client.hgetall(record);
      await saver.putWrites(cfg(t, first), [], "task", "", { thread: running(wf) });
      await saver.putWrites(cfg(t, first), [["w", 1]], "task", "", {
        thread: { entrypoint: wf, status: "failed" },
      });
      expect(await client.hgetall(record)).toEqual(before);
      expect(await ids(wf, { status: ["running"] })).toEqual([]);
      // Addressed to the latest checkpoint, an empty putWrites renews the lease.
      await saver.putWrites(cfg(t, second), [], "task", "", { thread: running(wf) });
      const [renewed] = await list(wf);
      expect(renewed).toMatchObject({ status: "running", checkpointId: second });
      expect(renewed?.leaseUntil).toBeDefined();
    });

    it("merges metadata shallowly and keeps payloads exactly; subgraph puts keep no record", async () => {
      const wf = workflow();
      const t = thread();
      const when = new Date(86_400_000);
      const first = await start(t, { ...running(wf), metadata: { team: "a", n: 1 } });
      const interrupts = [{ id: "i1", value: { when, map: new Map([["k", [1n]]]) } }];
      await start(
        t,
        { entrypoint: wf, status: "interrupted", interrupts, metadata: { n: 2, __proto__x: when } },
        first,
      );
      const c = makeCheckpoint({}, undefined);
      await saver.put(cfg(t, undefined, "child"), c, makeMetadata(), {}, { thread: running(wf) });
      const [row] = await list(wf, { metadata: { team: "a", __proto__x: new Date(86_400_000) } });
      expect(row?.metadata).toEqual({ team: "a", n: 2, __proto__x: when });
      expect(row?.status).toBe("interrupted");
      expect(row?.interrupts).toEqual(interrupts);
      expect(row?.leaseUntil).toBeUndefined();
    });

    it("stores an update that sets every optional field (interrupts and a lease), clearing none", async () => {
      const wf = workflow();
      const t = thread();
      const interrupts = [{ id: "i1", value: { ask: "ok?" } }];
      await start(t, {
        entrypoint: wf,
        status: "interrupted",
        interrupts,
        lease: { owner: "me", ms: 60_000 },
      });
      const [row] = await list(wf);
      expect(row).toMatchObject({ status: "interrupted", interrupts });
      // The lease is stored with it (a listing shows a lease only on a running thread).
      expect(await client.hget(threadKeys(prefix, t).record, "o")).toBe("me");
    });

    it("keeps every key of a metadata object too large for one Lua unpack()", async () => {
      const wf = workflow();
      const t = thread();
      // 5,000 keys: 10,000 HSET arguments, past what one unpack() can pass.
      const metadata = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
      const first = await start(t, { ...running(wf), metadata });
      await start(t, { entrypoint: wf, status: "done" }, first);
      const [row] = await list(wf, { metadata: { k0: 0, k4999: 4999 } });
      expect(row?.status).toBe("done");
      expect(row?.metadata).toEqual(metadata);
    });

    it("drops a status-set entry the record contradicts, and one whose thread is gone", async () => {
      const wf = workflow();
      const [moved, gone, kept] = [thread("moved"), thread("gone"), thread("kept")];
      await start(moved, { entrypoint: wf, status: "done" });
      await start(gone, { entrypoint: wf, status: "done" });
      await start(kept, { entrypoint: wf, status: "done" });
      const hex = (t: string) => threadKeys(prefix, t).threadHex;
      const doneKey = threadListKey(prefix, wf, "done");
      // As if a listing had not yet met them: `moved` is also filed as
      // interrupted; `gone`'s keys vanished (expired) but its entries stayed.
      const score = Number(await client.zscore(doneKey, hex(moved)));
      await client.zadd(threadListKey(prefix, wf, "interrupted"), score, hex(moved));
      await client.del(...threadKeys(prefix, gone).all);
      expect(await ids(wf, { status: ["interrupted"] })).toEqual([]);
      expect(await client.zscore(threadListKey(prefix, wf, "interrupted"), hex(moved))).toBeNull();
      expect((await ids(wf)).sort()).toEqual([moved, kept].sort());
      expect(await client.zscore(threadListKey(prefix, wf, "all"), hex(gone))).toBeNull();
      expect(await ids(wf, { status: ["done"] })).not.toContain(gone);
      expect(await client.zscore(doneKey, hex(gone))).toBeNull();
      expect(await client.zscore(doneKey, hex(kept))).not.toBeNull();
    });

    it("never lists an entry at a score its record does not have, and repairs it", async () => {
      const wf = workflow();
      const [a, b] = [thread("a"), thread("b")];
      await start(a, { entrypoint: wf, status: "done" });
      await new Promise((r) => setTimeout(r, 5));
      await start(b, { entrypoint: wf, status: "done" });
      const allKey = threadListKey(prefix, wf, "all");
      const hexA = threadKeys(prefix, a).threadHex;
      const real = Number(await client.zscore(allKey, hexA));
      // A follow-up that never arrived: the set still has an older score.
      await client.zadd(allKey, real - 1_000, hexA);
      expect(await ids(wf, { updatedBefore: real - 500 })).toEqual([]);
      expect(Number(await client.zscore(allKey, hexA))).toBe(real);
      expect(await ids(wf)).toEqual([b, a]);
    });

    it("an entry ahead of its record (a writer's clock ahead) is lowered and listed in the same listing", async () => {
      const wf = workflow();
      const [t, older] = [thread("ahead"), thread("older")];
      await start(older, running(wf));
      await new Promise((r) => setTimeout(r, 5));
      await start(t, running(wf));
      const runningKey = threadListKey(prefix, wf, "running");
      const hex = threadKeys(prefix, t).threadHex;
      const real = Number(await client.zscore(runningKey, hex));
      await client.zadd(runningKey, real + 60_000, hex);
      expect(await ids(wf, { status: ["running"] })).toEqual([t, older]);
      expect(Number(await client.zscore(runningKey, hex))).toBe(real);
    });

    it("a thread whose index update was lost is listed again after its next write", async () => {
      const wf = workflow();
      const t = thread();
      const first = await start(t, running(wf));
      const hex = threadKeys(prefix, t).threadHex;
      await client.zrem(threadListKey(prefix, wf, "all"), hex);
      await client.zrem(threadListKey(prefix, wf, "running"), hex);
      expect(await ids(wf)).toEqual([]);
      // Read by id, the record itself answers.
      expect(await ids(wf, { threadId: t })).toEqual([t]);
      await saver.putWrites(cfg(t, first), [], "task", "", { thread: running(wf) });
      expect(await ids(wf)).toEqual([t]);
    });

    it("on one Redis, the write's own script files the thread in its sets at the record's updatedAt", async () => {
      const wf = workflow();
      const t = thread("inline");
      const first = await start(t, running(wf));
      const keys = threadKeys(prefix, t);
      const score = async (part: string) =>
        client.zscore(threadListKey(prefix, wf, part), keys.threadHex);
      await saver.putWrites(cfg(t, first), [["ch", 1]], "task", "", {
        thread: { entrypoint: wf, status: "interrupted", interrupts: [] },
      });
      const u = await client.hget(keys.record, "u");
      if (client.isCluster) {
        // The sets are in other slots: updated beside the script, confirmed on listing.
        expect(await ids(wf, { status: ["interrupted"] })).toEqual([t]);
        return;
      }
      expect(await score("all")).toBe(u);
      expect(await score("interrupted")).toBe(u);
      // The previous status's entry went in the same script.
      expect(await score("running")).toBeNull();
      // No listing key gets the thread's expiry.
      expect(await client.pttl(threadListKey(prefix, wf, "all"))).toBe(-1);
    });

    it("pages by (updatedAt, thread id) when many threads share one millisecond", async () => {
      const wf = workflow();
      const threads = Array.from({ length: 9 }, (_, i) => thread(`tie${i}`));
      for (const t of threads) await start(t, { entrypoint: wf, status: "done" });
      const allKey = threadListKey(prefix, wf, "all");
      // Force one shared score on the records and the set alike.
      for (const t of threads) {
        await client.hset(threadKeys(prefix, t).record, "u", "1000");
        await client.zadd(allKey, 1000, threadKeys(prefix, t).threadHex);
      }
      const expected = [...threads].sort((x, y) =>
        threadKeys(prefix, x).threadHex < threadKeys(prefix, y).threadHex ? 1 : -1,
      );
      const seen: string[] = [];
      let after: { updatedAt: number; threadId: string } | undefined;
      for (;;) {
        const page = await saver.listThreads({ entrypoint: wf, limit: 2, ...(after && { after }) });
        if (page.length === 0) break;
        seen.push(...page.map((p) => p.threadId));
        const last = page[page.length - 1]!;
        after = { updatedAt: last.updatedAtMs, threadId: last.threadId };
      }
      expect(seen).toEqual(expected);
    });
  });
}
