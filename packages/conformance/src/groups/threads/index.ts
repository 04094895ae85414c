import { beforeEach, describe } from "vitest";
import { useHarness } from "../../harness.js";
import type { SaverInitializer } from "../../initializer.js";
import type { ThreadsContext } from "./context.js";
import { listingTests } from "./listing.js";
import { failClosedTests, recoveryTests } from "./recovery.js";
import { statusTests } from "./statuses.js";

/**
 * The "threads" group: threads as a queryable resource (the saver's
 * `capabilities.threads`), through `workflow.threads()`, `thread()` and
 * `recover()`: each status reached by a real run, interrupts with their
 * payloads, metadata and time filters, stable paging while others write,
 * hostile ids, deletion, a restart, stalled runs and two recoverers racing.
 * A saver that does not declare the capability gets one test, that it fails
 * closed, and the rest are skipped with that reason.
 *
 * @example
 * ```ts
 * threadsGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function threadsGroup(init: SaverInitializer): void {
  describe("threads", () => {
    const h = useHarness(init);
    const context: ThreadsContext = { init, h };
    describe("with thread records", () => {
      beforeEach((ctx) => {
        if (h.saver().capabilities?.threads !== true) {
          ctx.skip(
            "the saver does not declare capabilities.threads, so it keeps no thread records to list",
          );
        }
      });
      statusTests(context);
      listingTests(context);
      recoveryTests(context);
    });
    failClosedTests(context);
  });
}
