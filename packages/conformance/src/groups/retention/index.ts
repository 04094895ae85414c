import { afterEach, beforeEach, describe } from "vitest";
import { useHarness } from "../../harness.js";
import type { IsolatedStorage, SaverInitializer } from "../../initializer.js";
import { NO_ISOLATED_NOTE, type RetentionContext } from "./context.js";
import { copyTests } from "./copy.js";
import { expiryTests } from "./expiry.js";
import { failClosedTests } from "./fail-closed.js";
import { pruneProperties } from "./properties.js";
import { pruneTests } from "./prune.js";
import { resumeTests } from "./resume.js";
import { sweeperTests } from "./sweepers.js";

/**
 * The "retention" group: what a saver with `capabilities.retention` keeps
 * when it prunes, copies and expires threads. `prune` keeps each
 * namespace's newest N and the checkpoints of a run under way, so a pruned
 * paused run resumes with the same result as an unpruned one and re-runs no
 * finished task; time travel to a pruned checkpoint says it was pruned;
 * `copyThread` forks a whole thread that then diverges; a `ttl` with
 * `sweep({ now })` deletes or prunes idle threads, leaves interrupted ones
 * and live runs alone, in bounded batches, each thread once with two
 * sweepers racing. Sweep tests run on `init.isolated()` storage (skipped,
 * saying so, without it). A saver that does not declare the capability gets
 * one test, that it fails closed, and the rest are skipped with that reason.
 *
 * @example
 * ```ts
 * retentionGroup({
 *   name: "MySaver",
 *   create: () => new MySaver({ url }),
 *   isolated: async () => {
 *     const table = `retention_${crypto.randomUUID().slice(0, 8)}`;
 *     return {
 *       create: (options) => new MySaver({ url, table, ttl: options?.ttl }),
 *       destroy: () => dropTable(table),
 *     };
 *   },
 * });
 * ```
 */
export function retentionGroup(init: SaverInitializer): void {
  describe("retention", () => {
    const h = useHarness(init);
    const opened: IsolatedStorage[] = [];
    const track = (storage: IsolatedStorage) => {
      opened.push(storage);
      return storage;
    };
    // The shared storage, for tests that touch only their own threads. Its
    // savers belong to the harness, so closing it closes nothing.
    const shared: IsolatedStorage = {
      create: () => h.saver(),
      destroy: async () => {},
    };
    const context: RetentionContext = {
      init,
      h,
      storage: async () => (init.isolated ? track(await init.isolated()) : shared),
      isolated: async (ctx) => {
        if (!init.isolated) ctx.skip(NO_ISOLATED_NOTE);
        return track(await init.isolated!());
      },
    };
    afterEach(async () => {
      const closing = opened.splice(0);
      for (const storage of closing) await storage.destroy();
    });
    describe("with retention", () => {
      beforeEach((ctx) => {
        if (h.saver().capabilities?.retention !== true) {
          ctx.skip(
            "the saver does not declare capabilities.retention, so it has no prune, copyThread or sweep to test",
          );
        }
      });
      pruneTests(context);
      resumeTests(context);
      copyTests(context);
      expiryTests(context);
      sweeperTests(context);
      pruneProperties(context);
    });
    failClosedTests(context);
  });
}
