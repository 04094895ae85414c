import { describe } from "vitest";
import { useHarness } from "../../harness.js";
import type { SaverInitializer } from "../../initializer.js";
import { abortTests } from "./abort.js";
import { brokenHistoryTests } from "./broken-history.js";
import { commandTests } from "./commands.js";
import type { RuntimeContext } from "./context.js";
import { durabilityTests } from "./durability.js";
import { errorTests } from "./errors.js";
import { essayReviewTests } from "./essay-review.js";
import { exactValueTests } from "./exact-values.js";
import { interruptTests } from "./interrupts.js";
import { previousAndFinalTests } from "./previous-and-final.js";
import { roundTripTests } from "./round-trips.js";
import { stateAndHistoryTests } from "./state-and-history.js";
import { streamTests } from "./streams.js";
import { taskTests } from "./tasks.js";
import { twoRunsTests } from "./two-runs.js";

/**
 * The "runtime" group: the runtime's end-to-end behaviour on this saver,
 * through `@savepoint/core` (the essay-review flow, storage round trips, two
 * runs on one thread, previous state, tasks, interrupts, streams, state and
 * history, durability modes, errors, a restart; only a real Command resumes;
 * aborted runs; history missing from storage; values kept exactly). Each part
 * is a file of its own in this folder.
 *
 * @example
 * ```ts
 * runtimeGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function runtimeGroup(init: SaverInitializer): void {
  describe("runtime", () => {
    const h = useHarness(init);
    const context: RuntimeContext = {
      init,
      h,
      config: (label?: string) => ({ configurable: { thread_id: h.threadId(label) } }),
    };
    essayReviewTests(context);
    roundTripTests(context);
    twoRunsTests(context);
    previousAndFinalTests(context);
    taskTests(context);
    interruptTests(context);
    streamTests(context);
    stateAndHistoryTests(context);
    durabilityTests(context);
    errorTests(context);
    commandTests(context);
    abortTests(context);
    brokenHistoryTests(context);
    exactValueTests(context);
  });
}
