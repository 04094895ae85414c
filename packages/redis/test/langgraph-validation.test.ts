// LangGraph.js's own checkpoint validation suite
// (@langchain/langgraph-checkpoint-validation), run unchanged against
// RedisSaver on the machine's Redis and on a 3-master Cluster this file
// starts: the proof that it is a drop-in under LangGraph graphs.
//
// The suite calls vitest's `describe`, `it`, `beforeAll`… as globals. They
// are set on globalThis for this file only (vitest runs each test file in its
// own module context, and `globals` stays off in the shared config), before
// the suite is imported.
import type { CheckpointSaverTestInitializer } from "@langchain/langgraph-checkpoint-validation";
import { exposeVitestGlobals } from "@savepoint/conformance/langgraph";
import { type Cluster, Redis } from "ioredis";
import { describe } from "vitest";
import { RedisSaver } from "../src/index.js";
import { type LocalCluster, startCluster } from "./cluster.js";
import { deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";

exposeVitestGlobals();
const { validate, deltaChannelHistoryTests } = await import(
  "@langchain/langgraph-checkpoint-validation"
);

/**
 * Every case of `validate` (put, putWrites, getTuple, list, deleteThread, in
 * the root and a child namespace: 718, none skipped; the suite's skip lists
 * are keyed by name, and ours names no saver of theirs) and the opt-in block
 * LangGraph runs on its own savers, `deltaChannelHistoryTests` (the ancestor
 * walk that rebuilds a DeltaChannel; its DeltaSnapshot seeds are a class the
 * default serializer knows), against one Redis target. Each checkpointer the
 * suite creates gets a key prefix of its own, deleted when the suite destroys
 * it: the suite reuses thread ids ("thread-1", "1", "2") across blocks and
 * lists across all threads.
 */
function validateOn(target: {
  name: string;
  beforeAll?: () => Promise<void>;
  afterAll?: () => Promise<void>;
  /** A saver under `prefix`. */
  saver(prefix: string): RedisSaver;
  /** A client to delete a prefix with. */
  admin(): Redis | Cluster;
  /** Lets go of a saver made by `saver`. */
  release(saver: RedisSaver): Promise<void> | void;
}): void {
  const prefixes = new WeakMap<RedisSaver, string>();
  const initializer: CheckpointSaverTestInitializer<RedisSaver> = {
    checkpointerName: target.name,
    beforeAll: target.beforeAll,
    beforeAllTimeout: 60_000,
    afterAll: target.afterAll,
    createCheckpointer: () => {
      const prefix = randomPrefix("langgraph");
      const saver = target.saver(prefix);
      prefixes.set(saver, prefix);
      return saver;
    },
    async destroyCheckpointer(saver) {
      await deletePrefix(target.admin(), prefixes.get(saver)!);
      await target.release(saver);
    },
  };
  validate(initializer);
  deltaChannelHistoryTests(initializer);
}

describe.skipIf(!redisUp)("single Redis", () => {
  let admin: Redis;
  validateOn({
    name: "@savepoint/redis (single Redis)",
    async beforeAll() {
      admin = new Redis(REDIS_URL);
    },
    async afterAll() {
      admin?.disconnect();
    },
    // A saver that opens its own client from the URL, as most users will.
    saver: (prefix) => new RedisSaver(REDIS_URL, { prefix }),
    admin: () => admin,
    release: (saver) => saver.close(),
  });
});

describe("3-master Cluster", () => {
  let cluster: LocalCluster | undefined;
  let client: Cluster;
  validateOn({
    name: "@savepoint/redis (3-master Cluster)",
    async beforeAll() {
      cluster = await startCluster(3);
      client = cluster.client();
    },
    async afterAll() {
      client?.disconnect();
      await cluster?.stop();
    },
    // One Cluster client for every saver; the saver leaves an injected client open.
    saver: (prefix) => new RedisSaver(client, { prefix }),
    admin: () => client,
    release: () => {},
  });
});
