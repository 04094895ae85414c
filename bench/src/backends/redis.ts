// Redis (REDIS_URL): Savepoint's Redis saver under a key prefix of its own,
// cleaned before and after. The anchor is an awaited `SET` of a small value.
// LangGraph.js's Redis saver is not part of the comparison.
import { RedisSaver } from "@savepoint/redis";
import { Redis } from "ioredis";
import { type AnchorLoop, measureLoops } from "../anchors.js";
import { PREFIX, REDIS_URL, redact } from "../services.js";
import type { Backend } from "./backend.js";

/** SCAN + UNLINK (never KEYS): removes what an earlier run left under the prefix. */
export async function deleteByPrefix(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== "0");
}

async function connect(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${redact(REDIS_URL)} (${err instanceof Error ? err.message : err})`,
    );
  }
  return redis;
}

export const redis: Backend = {
  id: "redis",
  durable: true,
  async open() {
    const client = await connect();
    await deleteByPrefix(client, `${PREFIX}:*`);
    const saver = new RedisSaver(REDIS_URL, { prefix: PREFIX });
    const set: AnchorLoop = async (ops) => {
      const t0 = performance.now();
      for (let i = 0; i < ops; i++) await client.set(`${PREFIX}:raw:${i}`, '{"v":1}');
      return performance.now() - t0;
    };
    return {
      saver: () => saver,
      // Under the main prefix, so the cleaning before and after covers it.
      storeOfItsOwn: async (name) => {
        const prefix = `${PREFIX}:${name}`;
        await deleteByPrefix(client, `${prefix}:*`);
        const store = new RedisSaver(REDIS_URL, { prefix });
        return {
          saver: store,
          drop: async () => {
            await store.close();
            await deleteByPrefix(client, `${prefix}:*`);
          },
        };
      },
      anchor: {
        what: "raw SET on Redis",
        name: "raw SET",
        async measure(options, plan) {
          const r = await measureLoops({ set }, plan.anchorOps, options);
          return { us: r.set, figures: { redisSet: r.set } };
        },
        loop: async (plan) => ({ ops: plan.anchorOps, run: set }),
      },
      close: async () => {
        await deleteByPrefix(client, `${PREFIX}:*`);
        await saver.close();
        client.disconnect();
      },
    };
  },
};
