import { randomUUID } from "node:crypto";
import type { CheckpointSaver } from "@savepoint/core";
import { afterAll, beforeAll } from "vitest";
import type { SaverInitializer } from "./initializer.js";

/**
 * What a group's tests use: one saver shared by the group, more on demand
 * (each destroyed when the group ends), and fresh thread ids.
 *
 * @example
 * ```ts
 * const h: Harness = useHarness(init);
 * it("reads after a restart", async () => {
 *   const threadId = h.threadId();
 *   await putChain(h.saver(), threadId, 1);
 *   expect(await (await h.fresh()).getTuple(threadConfig(threadId))).toBeDefined();
 * });
 * ```
 */
export interface Harness<Saver extends CheckpointSaver = CheckpointSaver> {
  /** The group's shared saver (created in beforeAll). */
  saver(): Saver;
  /** Another saver on the same storage: a restarted process. Destroyed after the group. */
  fresh(): Promise<Saver>;
  /** A thread id no other test uses. */
  threadId(label?: string): string;
}

/**
 * Registers beforeAll/afterAll hooks for a group and returns its harness.
 * Call it inside a `describe`, to write a group of your own.
 *
 * @example
 * ```ts
 * describe("my saver's extras", () => {
 *   const h = useHarness({ name: "MySaver", create: () => new MySaver() });
 *   it("has a TTL", async () => { ... });
 * });
 * ```
 */
export function useHarness<Saver extends CheckpointSaver>(
  init: SaverInitializer<Saver>,
): Harness<Saver> {
  let shared: Saver | undefined;
  const extra: Saver[] = [];
  beforeAll(async () => {
    shared = await init.create();
  });
  afterAll(async () => {
    for (const saver of [...extra, ...(shared ? [shared] : [])]) await init.destroy?.(saver);
    extra.length = 0;
    shared = undefined;
  });
  return {
    saver() {
      if (!shared)
        throw new Error(`conformance: the "${init.name}" saver was not created (create() failed?)`);
      return shared;
    },
    async fresh() {
      const saver = await init.create();
      extra.push(saver);
      return saver;
    },
    threadId(label = "t") {
      return `conformance-${label}-${randomUUID()}`;
    },
  };
}
