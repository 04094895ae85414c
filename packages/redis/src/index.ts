/**
 * A Savepoint checkpoint saver on Redis, Valkey or Redis Cluster, through
 * ioredis. It needs no Redis modules and never uses `KEYS`: every key of a
 * thread shares one hash tag, every write is one atomic Lua script, and
 * lookups use sorted-set indexes. Channel values are stored once per (channel,
 * version). It prunes, copies and expires threads (`capabilities.retention`):
 * with `ttl: { idle }` Redis expires idle threads by itself, sparing those
 * waiting on an interrupt, and `saver.sweep()` does the same on demand.
 *
 * ```sh
 * npm install @savepoint/core @savepoint/redis ioredis
 * ```
 *
 * ```ts
 * import { Command, entrypoint, interrupt, task } from "@savepoint/core";
 * import { RedisSaver } from "@savepoint/redis";
 *
 * const checkpointer = new RedisSaver("redis://127.0.0.1:6379", { ttl: { idle: "7d" } });
 * const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);
 * const workflow = entrypoint({ name: "essay", checkpointer }, async (topic: string) => {
 *   const essay = await writeEssay(topic);
 *   const isApproved = interrupt({ essay, action: "Please approve/reject the essay" });
 *   return { essay, isApproved };
 * });
 *
 * const config = { configurable: { thread_id: "essay-1" } };
 * await workflow.invoke("cat", config); // pauses: { __interrupt__: [...] }
 * for await (const t of workflow.threads({ status: "interrupted" })) console.log(t.threadId); // "essay-1"
 * await workflow.invoke(new Command({ resume: true }), config); // { essay, isApproved: true }
 * await checkpointer.close();
 * ```
 *
 * It is also a LangGraph.js checkpointer, passed as it is (it passes
 * LangGraph's checkpoint validation suite):
 *
 * ```ts
 * const graph = builder.compile({ checkpointer: new RedisSaver("redis://127.0.0.1:6379") });
 * ```
 *
 * On a Redis Cluster, pass an ioredis `Cluster`:
 *
 * ```ts
 * import { Cluster } from "ioredis";
 * const checkpointer = new RedisSaver(new Cluster([{ host: "10.0.0.1", port: 7000 }]));
 * ```
 *
 * @module
 */
export {
  type RedisSource,
  reconnectDelay,
  URL_CLIENT_DEFAULTS,
} from "./connection.js";
export { describeClient, toSavepointError } from "./errors.js";
export {
  type IdleKeys,
  idleKeys,
  type ThreadKeys,
  threadIndexKey,
  threadKeys,
  threadListKey,
} from "./keys.js";
export type { RedisSaverOptions, RedisSaverTtl } from "./options.js";
export { RedisSaver } from "./saver.js";
export { ACCEPTED_URLS, redactUrl } from "./url.js";
