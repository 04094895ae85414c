import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test } from "vitest";

/**
 * Puts vitest's `describe`, `it`, `test`, `expect` and hooks on `globalThis`,
 * for suites written against globals, such as LangGraph's checkpoint
 * validation suite. Call it in the one test file that needs them, before a
 * dynamic `import()` of that suite; vitest isolates test files, so no other
 * file sees them.
 *
 * @example
 * ```ts
 * exposeVitestGlobals();
 * const { validate } = await import("@langchain/langgraph-checkpoint-validation");
 * validate({ checkpointerName: "MySaver", createCheckpointer: () => new MySaver() });
 * ```
 */
export function exposeVitestGlobals(): void {
  Object.assign(globalThis, {
    describe,
    it,
    test,
    expect,
    beforeAll,
    afterAll,
    beforeEach,
    afterEach,
  });
}
