import type { Harness } from "../../harness.js";
import type { SaverInitializer } from "../../initializer.js";

/**
 * What each part of the runtime group gets: the initializer, the group's
 * harness, and a config naming a fresh thread.
 *
 * @example
 * ```ts
 * export function myTests({ h, config }: RuntimeContext): void {
 *   it("runs", async () => { await workflowOn(h.saver()).invoke("go", config("label")); });
 * }
 * ```
 */
export interface RuntimeContext {
  /** The initializer the suite runs on. */
  init: SaverInitializer;
  /** The runtime group's harness. */
  h: Harness;
  /** A config with a thread id no other test uses. */
  config(label?: string): { configurable: { thread_id: string } };
}
