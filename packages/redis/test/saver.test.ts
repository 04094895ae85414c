import { type Cluster, Redis } from "ioredis";
import { describe } from "vitest";
import { describeRedisSaverBehaviour } from "./behaviour/index.js";
import { REDIS_URL, redisUp } from "./helpers.js";
import { describeRedisRetention } from "./retention/index.js";

describe.skipIf(!redisUp)("single Redis", () => {
  const target = {
    label: `Redis at ${REDIS_URL.replace(/\/\/[^@]*@/, "//")}`,
    client: () => new Redis(REDIS_URL),
    release: (client: Redis | Cluster) => client.disconnect(),
  };
  describeRedisSaverBehaviour(target);
  describeRedisRetention(target);
});
