import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadIndexKey, threadKeys, threadListKey } from "../src/index.js";
import {
  cfg,
  collect,
  countPrefix,
  deletePrefix,
  makeCheckpoint,
  makeMetadata,
  newVersionsOf,
  REDIS_URL,
  randomPrefix,
  redisUp,
} from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!redisUp)("TTL (real Redis, 1-2 s)", () => {
  let client: Redis;
  const prefix = randomPrefix("ttl");
  beforeAll(() => {
    client = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deletePrefix(client, prefix);
    client.disconnect();
  });

  async function deadlines(threadId: string): Promise<number[]> {
    // -2: the key does not exist (a thread without writes has no write keys).
    const all = await Promise.all(
      threadKeys(prefix, threadId).all.map((k) => client.pexpiretime(k)),
    );
    return all.filter((d) => d !== -2);
  }

  it("gives every key of a thread one deadline, pushed back by each write", async () => {
    const saver = new RedisSaver(client, { prefix, ttl: { seconds: 2 } });
    const t = `ttl-${randomUUID()}`;
    const checkpoint = makeCheckpoint({ topic: "cats" });
    const config = await saver.put(cfg(t), checkpoint, makeMetadata(), newVersionsOf(checkpoint));
    await saver.putWrites(config, [["a", 1]], "task");
    const first = await deadlines(t);
    // Every key, the record too: it holds the thread's idle clock.
    expect(first).toHaveLength(8);
    expect(new Set(first).size).toBe(1);
    expect(first[0]).toBeGreaterThan(Date.now());
    await sleep(300);
    await saver.putWrites(config, [["b", 2]], "task");
    const second = await deadlines(t);
    expect(new Set(second).size).toBe(1);
    expect(second[0]!).toBeGreaterThanOrEqual(first[0]! + 250);
  });

  it("lets an idle thread disappear whole, and drops it from the thread index", async () => {
    const saver = new RedisSaver(client, { prefix, ttl: { seconds: 1 } });
    const t = `idle-${randomUUID()}`;
    const checkpoint = makeCheckpoint({ topic: "cats" });
    const config = await saver.put(cfg(t), checkpoint, makeMetadata(), newVersionsOf(checkpoint));
    await saver.putWrites(config, [["a", 1]], "task");
    await saver.put(cfg(t, undefined, "sub"), makeCheckpoint(), makeMetadata(), {});
    expect(await saver.getTuple(cfg(t))).toBeDefined();
    // Until the deadline every key is there (the record holds the idle
    // clock); after it, none is.
    const keys = threadKeys(prefix, t).all;
    for (;;) {
      const existing = await client.exists(...keys);
      if (existing === 0) break;
      expect(existing).toBe(keys.length);
      await sleep(20);
    }
    expect(await saver.getTuple(cfg(t))).toBeUndefined();
    expect(await collect(saver.list(cfg(t)))).toEqual([]);
    expect(
      (await countPrefix(client, prefix)).filter((k) =>
        k.includes(threadKeys(prefix, t).threadHex),
      ),
    ).toEqual([]);
    await collect(saver.list({}));
    expect(await client.zscore(threadIndexKey(prefix), threadKeys(prefix, t).threadHex)).toBeNull();
  });

  it("expires a thread record with its thread; a listing then drops its entries", async () => {
    const saver = new RedisSaver(client, { prefix, ttl: { seconds: 1 } });
    const t = `record-${randomUUID()}`;
    const entrypoint = `wf-${randomUUID()}`;
    const checkpoint = makeCheckpoint({ topic: "cats" });
    const config = await saver.put(cfg(t), checkpoint, makeMetadata(), newVersionsOf(checkpoint), {
      thread: { entrypoint, status: "running", lease: { owner: "o", ms: 60_000 } },
    });
    await saver.putWrites(config, [], "task", "", {
      thread: { entrypoint, status: "interrupted", interrupts: [] },
    });
    const all = await deadlines(t);
    // No write was stored, so the two write keys do not exist; the record does.
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(1);
    expect(await client.pexpiretime(threadKeys(prefix, t).record)).toBe(all[0]);
    expect((await saver.listThreads({ entrypoint, limit: 10 })).map((r) => r.threadId)).toEqual([
      t,
    ]);
    while ((await client.exists(...threadKeys(prefix, t).all)) > 0) await sleep(20);
    expect(await saver.listThreads({ entrypoint, limit: 10 })).toEqual([]);
    const hex = threadKeys(prefix, t).threadHex;
    expect(await client.zscore(threadListKey(prefix, entrypoint, "all"), hex)).toBeNull();
  });

  it("refreshes on read only with refreshOnRead", async () => {
    const reading = new RedisSaver(client, { prefix, ttl: { seconds: 1, refreshOnRead: true } });
    const plain = new RedisSaver(client, { prefix, ttl: { seconds: 1 } });
    const kept = `kept-${randomUUID()}`;
    const lost = `lost-${randomUUID()}`;
    await reading.put(cfg(kept), makeCheckpoint(), makeMetadata(), {});
    await plain.put(cfg(lost), makeCheckpoint(), makeMetadata(), {});
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      expect(await reading.getTuple(cfg(kept))).toBeDefined();
      await collect(reading.list(cfg(kept)));
      await plain.getTuple(cfg(lost));
    }
    expect(await reading.getTuple(cfg(kept))).toBeDefined();
    expect(await plain.getTuple(cfg(lost))).toBeUndefined();
    expect(new Set(await deadlines(kept)).size).toBe(1);
  });

  it("leaves keys without expiry when no TTL is set", async () => {
    const saver = new RedisSaver(client, { prefix });
    const t = `forever-${randomUUID()}`;
    await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {});
    expect(await client.pttl(threadKeys(prefix, t).byNamespace)).toBe(-1);
  });
});
