import { Redis } from "ioredis";
import { describe } from "vitest";
import { describeRedisSaverBehaviour } from "./behaviour/index.js";
import { REDIS_URL, redisUp } from "./helpers.js";

describe.skipIf(!redisUp)("single Redis", () => {
  describeRedisSaverBehaviour({
    label: `Redis at ${REDIS_URL.replace(/\/\/[^@]*@/, "//")}`,
    client: () => new Redis(REDIS_URL),
    release: (client) => client.disconnect(),
  });
});
