// Real LangGraph graphs (chat, tools, interrupts, Send, subgraphs, time
// travel, parallel branches, history) with RedisSaver as their checkpointer,
// on the machine's Redis and on a 3-master Cluster this file starts, each
// compared with the same program on LangGraph's own MemorySaver.
import { describeLangGraphPrograms } from "@savepoint/conformance/langgraph";
import { Redis } from "ioredis";
import { RedisSaver } from "../src/index.js";
import { type LocalCluster, startCluster } from "./cluster.js";
import { deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";

const singlePrefix = randomPrefix("langgraph-programs");
describeLangGraphPrograms({
  name: "RedisSaver (single Redis)",
  skip: !redisUp,
  // A saver that opens its own client from the URL, as most users will.
  create: () => new RedisSaver(REDIS_URL, { prefix: singlePrefix }),
  destroy: (saver) => saver.close(),
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
describeLangGraphPrograms({
  name: "RedisSaver (3-master Cluster)",
  async beforeAll() {
    cluster = await startCluster(3);
  },
  async afterAll() {
    await cluster?.stop();
  },
  create: () => new RedisSaver(cluster!.client(), { prefix: randomPrefix("langgraph-programs") }),
  // The saver leaves an injected client open; the test owns it.
  destroy: (saver) => saver.client.disconnect(),
});
