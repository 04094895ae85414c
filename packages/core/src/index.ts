/**
 * Savepoint core: durable workflows that pause for people.
 *
 * ```sh
 * npm install @savepoint/core @savepoint/memory
 * ```
 *
 * ```ts
 * import { Command, entrypoint, interrupt, task } from "@savepoint/core";
 * import { MemorySaver } from "@savepoint/memory";
 *
 * const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);
 *
 * const workflow = entrypoint({ name: "workflow", checkpointer: new MemorySaver() }, async (topic: string) => {
 *   const essay = await writeEssay(topic);
 *   const isApproved = interrupt({ essay, action: "Please approve/reject the essay" });
 *   return { essay, isApproved };
 * });
 *
 * const config = { configurable: { thread_id: "essay-1" } };
 * await workflow.invoke("cat", config); // { __interrupt__: [{ id, value: { essay, action } }] }
 * await workflow.invoke(new Command({ resume: true }), config); // { essay, isApproved: true }
 * ```
 *
 * @module
 */
export * from "./contract/checkpoint.js";
export type { Interrupt } from "./contract/interrupt.js";
export type * from "./contract/retention.js";
export * from "./contract/store.js";
export * from "./contract/threads.js";
export * from "./errors/index.js";
export * from "./ids.js";
export { Command, isCommand } from "./runtime/command.js";
export { getConfig, getPreviousState, getStore, getWriter } from "./runtime/context.js";
export {
  type EntrypointOptions,
  entrypoint,
  type InvokeConfig,
  isPaused,
  type UnwrapFinal,
  type Workflow,
} from "./runtime/entrypoint.js";
export { interrupt, isInterrupt } from "./runtime/interrupt.js";
export type { RetryPolicy } from "./runtime/retry.js";
export type { SnapshotTask, StateSnapshot } from "./runtime/snapshot.js";
export { RunStream, type StreamMode } from "./runtime/stream.js";
export { type TaskOptions, task } from "./runtime/task.js";
export type { RecoverOptions, RecoverResult } from "./runtime/threads.js";
export { type Durability, EntrypointFinal, type PausedResult } from "./runtime/workflow-types.js";
export * from "./saver-kit/channel-values.js";
export * from "./saver-kit/configs.js";
export * from "./saver-kit/identifiers.js";
export * from "./saver-kit/langgraph-surface.js";
export * from "./saver-kit/list-chains.js";
export * from "./saver-kit/list-links.js";
export * from "./saver-kit/listing.js";
export * from "./saver-kit/retention.js";
export * from "./saver-kit/stored.js";
export * from "./saver-kit/targets.js";
export * from "./saver-kit/versions.js";
export * from "./saver-kit/writes.js";
export * from "./serde/serializer.js";
export * from "./serde/typed.js";
