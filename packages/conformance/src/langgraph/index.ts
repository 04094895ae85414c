/**
 * LangGraph programs for a checkpoint saver: real `@langchain/langgraph`
 * graphs compiled with the saver as their `checkpointer`, each run on it and
 * on LangGraph's own `MemorySaver`, with the results required to be the
 * same. The subpath needs `@langchain/langgraph` and `@langchain/core`
 * (optional peer dependencies of this package); the main entry,
 * `@savepoint/conformance`, never loads them.
 *
 * ```ts
 * // test/langgraph-programs.test.ts
 * import { describeLangGraphPrograms } from "@savepoint/conformance/langgraph";
 * import { MySaver } from "../src/index.js";
 *
 * describeLangGraphPrograms({ name: "MySaver", create: () => new MySaver() });
 * ```
 *
 * @module
 */
export { normalizeForComparison } from "./normalize.js";
export { LANGGRAPH_PROGRAMS } from "./programs/index.js";
export { describeLangGraphPrograms } from "./suite.js";
export type {
  LangGraphProgram,
  LangGraphProgramName,
  LangGraphProgramsInitializer,
} from "./types.js";
export { exposeVitestGlobals } from "./vitest-globals.js";
