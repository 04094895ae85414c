// Runs the Redis benchmark on its own:
//   cd bench && npx tsx src/redis-main.ts
import { benchRedis } from "./redis.js";

await benchRedis();
