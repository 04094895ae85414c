/**
 * In-memory storage for Savepoint: a checkpoint saver and a long-term memory
 * store, for tests, demos and single-process use.
 *
 * ```sh
 * npm install @savepoint/core @savepoint/memory
 * ```
 *
 * ```ts
 * import { entrypoint, task } from "@savepoint/core";
 * import { InMemoryStore, MemorySaver } from "@savepoint/memory";
 *
 * const double = task("double", async (n: number) => n * 2);
 * const workflow = entrypoint(
 *   { name: "workflow", checkpointer: new MemorySaver(), store: new InMemoryStore() },
 *   async (n: number) => double(n),
 * );
 * await workflow.invoke(21, { configurable: { thread_id: "t1" } }); // 42
 * ```
 *
 * @module
 */
export type { MemorySaverOptions } from "./options.js";
export { InMemorySaver, MemorySaver } from "./saver.js";
export { MemoryStorage } from "./storage.js";
export { InMemoryStore } from "./store.js";
