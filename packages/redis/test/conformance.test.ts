import { describeSaverConformance, type IsolatedStorage } from "@savepoint/conformance";
import type { ThreadTtl } from "@savepoint/core";
import { type Cluster, Redis } from "ioredis";
import { RedisSaver } from "../src/index.js";
import { type LocalCluster, startCluster } from "./cluster.js";
import { deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";

// The shared suite, against the machine's Redis (a saver that opens its own
// client from the URL, as most users will) and against a real 3-master
// Cluster this file starts and stops. `isolated()` gives the retention group
// a fresh prefix per test: a sweep then sees only that test's threads.

/**
 * Storage under a fresh random prefix: `create` opens a saver on it (its own
 * client each time, as two processes would), `destroy` deletes the prefix's
 * keys (SCAN on every master of a Cluster) and closes what it opened.
 */
function isolatedPrefix(
  label: string,
  open: () => {
    client: Redis | Cluster | string;
    release(saver: RedisSaver): Promise<void> | void;
  },
  cleaner: () => Redis | Cluster,
): IsolatedStorage {
  const prefix = randomPrefix(label);
  const savers: [RedisSaver, () => Promise<void> | void][] = [];
  return {
    create(options?: { ttl?: ThreadTtl }) {
      const { client, release } = open();
      const saver = new RedisSaver(client, { prefix, ttl: options?.ttl });
      savers.push([saver, () => release(saver)]);
      return saver;
    },
    async destroy() {
      const client = cleaner();
      try {
        await deletePrefix(client, prefix);
      } finally {
        client.disconnect();
        await Promise.all(savers.map(([, release]) => release()));
      }
    },
  };
}

const singlePrefix = randomPrefix("conformance");
describeSaverConformance({
  name: "RedisSaver (single Redis)",
  skip: !redisUp,
  create: () => new RedisSaver(REDIS_URL, { prefix: singlePrefix }),
  destroy: (saver) => (saver as RedisSaver).close(),
  isolated: async () =>
    isolatedPrefix(
      "retention",
      () => ({ client: REDIS_URL, release: (saver) => saver.close() }),
      () => new Redis(REDIS_URL),
    ),
  async afterAll() {
    const client = new Redis(REDIS_URL);
    try {
      await deletePrefix(client, singlePrefix);
    } finally {
      client.disconnect();
    }
  },
});

let cluster: LocalCluster | undefined;
const clusterPrefix = randomPrefix("conformance-cluster");
describeSaverConformance({
  name: "RedisSaver (3-master Cluster)",
  async beforeAll() {
    cluster = await startCluster(3);
  },
  async afterAll() {
    await cluster?.stop();
  },
  create: () => new RedisSaver(cluster!.client(), { prefix: clusterPrefix }),
  // The saver leaves an injected client open; the test owns it.
  destroy: (saver) => (saver as RedisSaver).client.disconnect(),
  isolated: async () =>
    isolatedPrefix(
      "retention-cluster",
      () => ({ client: cluster!.client(), release: (saver) => saver.client.disconnect() }),
      () => cluster!.client(),
    ),
});
