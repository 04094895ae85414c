/**
 * The conformance suite every Savepoint checkpoint saver must pass, as vitest
 * tests you register from your own test file, and as a CLI.
 *
 * ```sh
 * npm install -D @savepoint/conformance vitest
 * ```
 *
 * ```ts
 * // my-saver.test.ts
 * import { describeSaverConformance } from "@savepoint/conformance";
 * import { MySaver } from "./my-saver.js";
 *
 * describeSaverConformance({ name: "MySaver", create: () => new MySaver(), destroy: (s) => s.close() });
 * ```
 *
 * ```sh
 * npx savepoint-conformance ./my-saver-initializer.ts   # default-exports { name, create, destroy }
 * ```
 *
 * LangGraph programs (real `@langchain/langgraph` graphs with the saver as
 * their checkpointer, compared with LangGraph's own `MemorySaver`) are in the
 * `@savepoint/conformance/langgraph` subpath, which alone loads LangGraph.
 *
 * @module
 */

export { loneSurrogateString, pollutingShape, storableValue } from "./fixtures/arbitraries.js";
export {
  ascendingIds,
  idsOf,
  listAll,
  type MadeCheckpoint,
  makeCheckpoint,
  makeMetadata,
  type PutCheckpoint,
  putChain,
  threadConfig,
} from "./fixtures/checkpoints.js";
export { damagedSaver } from "./fixtures/damaged-saver.js";
export { differenceBetween, expectSameValue } from "./fixtures/equality.js";
export {
  type HostileIdentifier,
  hostileIdentifiers,
  loneSurrogateIdentifiers,
  wellFormedNeighbours,
} from "./fixtures/identifiers.js";
export { SERIALIZER_SAMPLES } from "./fixtures/values.js";
export { concurrencyGroup } from "./groups/concurrency.js";
export { contractGroup } from "./groups/contract/index.js";
export { identifiersGroup } from "./groups/identifiers/index.js";
export { listsGroup } from "./groups/list-chains.js";
export { payloadsGroup } from "./groups/payloads.js";
export { PROPERTY_SEED, propertiesGroup } from "./groups/properties.js";
export { restartGroup } from "./groups/restart.js";
export { retentionGroup } from "./groups/retention/index.js";
export { runtimeGroup } from "./groups/runtime/index.js";
export { threadsGroup } from "./groups/threads/index.js";
export { type Harness, useHarness } from "./harness.js";
export {
  GROUP_NAMES,
  type GroupName,
  type IsolatedStorage,
  type SaverInitializer,
} from "./initializer.js";
export {
  type ConformanceCounts,
  ConformanceProgressReporter,
  summaryLine,
} from "./progress-reporter.js";
export { CLI_USAGE, type CliArguments, parseCliArguments, runConformance } from "./runner.js";
export { redact, serviceAvailable } from "./services.js";
export { describeSaverConformance } from "./suite.js";
