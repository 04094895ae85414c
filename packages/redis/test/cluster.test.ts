import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadKeys } from "../src/index.js";
import { describeRedisSaverBehaviour } from "./behaviour/index.js";
import { type LocalCluster, startCluster } from "./cluster.js";
import { cfg, makeCheckpoint, makeMetadata, newVersionsOf, randomPrefix } from "./helpers.js";
import { describeRedisRetention } from "./retention/index.js";

// A real 3-master Cluster started from the redis-server binary on free
// loopback ports, stopped by pid afterwards.
describe("Redis Cluster (3 masters)", () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const target = {
    label: "a 3-master Cluster",
    client: () => cluster.client(),
    release: (client: Redis | Cluster) => client.disconnect(),
  };
  describeRedisSaverBehaviour(target);
  describeRedisRetention(target);

  it("spreads threads over every master, each thread in one slot", async () => {
    const client = cluster.client();
    try {
      const prefix = randomPrefix("slots");
      const saver = new RedisSaver(client, { prefix });
      const slots = new Set<number>();
      const owners = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const t = `thread-${i}`;
        const checkpoint = makeCheckpoint({ i });
        const config = await saver.put(
          cfg(t),
          checkpoint,
          makeMetadata(),
          newVersionsOf(checkpoint),
        );
        await saver.putWrites(config, [["w", i]], "task");
        const keys = threadKeys(prefix, t).all;
        const keySlots = await Promise.all(keys.map((k) => client.cluster("KEYSLOT", k)));
        expect(new Set(keySlots).size).toBe(1);
        slots.add(keySlots[0] as number);
        const node = client.slots[keySlots[0] as number]?.[0];
        if (node) owners.add(node);
      }
      expect(slots.size).toBeGreaterThan(20);
      expect(owners.size).toBe(3);
      for (let i = 0; i < 30; i++) {
        const got = await saver.getTuple(cfg(`thread-${i}`));
        expect(got?.checkpoint.channel_values).toEqual({ i });
        expect(got?.pendingWrites).toEqual([["task", "w", i]]);
        await saver.deleteThread(`thread-${i}`);
      }
    } finally {
      client.disconnect();
    }
  });
});
