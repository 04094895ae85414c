import { describeSaverConformance } from "@savepoint/conformance";
import { Redis } from "ioredis";
import { RedisSaver } from "../src/index.js";
import { type LocalCluster, startCluster } from "./cluster.js";
import { deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";

// The shared suite, against the machine's Redis (a saver that opens its own
// client from the URL, as most users will) and against a real 3-master
// Cluster this file starts and stops.
const singlePrefix = randomPrefix("conformance");
describeSaverConformance({
  name: "RedisSaver (single Redis)",
  skip: !redisUp,
  create: () => new RedisSaver(REDIS_URL, { prefix: singlePrefix }),
  destroy: (saver) => (saver as RedisSaver).close(),
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
});
