import { randomUUID } from "node:crypto";
import { type BaseCheckpointSaver, MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeForComparison } from "./normalize.js";
import { LANGGRAPH_PROGRAMS } from "./programs/index.js";
import type { LangGraphProgramName, LangGraphProgramsInitializer } from "./types.js";

/**
 * Registers the LangGraph program suite for one saver with vitest: real
 * LangGraph graphs (a chat, tool calls through `ToolNode`, `interrupt()` and
 * `Command({ resume })`, `Send` fan-out, a subgraph, `updateState` and time
 * travel, parallel branches, history) compiled with the saver as their
 * `checkpointer`. Each program runs on the saver and on LangGraph's own
 * `MemorySaver`; their results, normalised with
 * {@link normalizeForComparison}, must be equal, and must show what the
 * program is about. Call it at the top level of a test file; `only` runs
 * just the named programs.
 *
 * @example
 * ```ts
 * import { describeLangGraphPrograms } from "@savepoint/conformance/langgraph";
 * import { MySaver } from "../src/index.js";
 *
 * describeLangGraphPrograms({
 *   name: "MySaver",
 *   create: () => new MySaver({ url: process.env.MY_URL }),
 *   destroy: (saver) => saver.close(),
 * });
 * ```
 */
export function describeLangGraphPrograms<Saver extends BaseCheckpointSaver>(
  init: LangGraphProgramsInitializer<Saver>,
  only?: LangGraphProgramName[],
): void {
  const skipped = new Set(Array.isArray(init.skip) ? init.skip : []);
  describe.skipIf(init.skip === true)(`${init.name} under LangGraph programs`, () => {
    if (init.beforeAll) beforeAll(() => init.beforeAll?.());
    if (init.afterAll) afterAll(() => init.afterAll?.());
    let saver: Saver | undefined;
    beforeAll(async () => {
      saver = await init.create();
    });
    afterAll(async () => {
      if (saver) await init.destroy?.(saver);
      saver = undefined;
    });
    for (const program of LANGGRAPH_PROGRAMS) {
      if (only && !only.includes(program.name)) continue;
      it.skipIf(skipped.has(program.name))(program.title, async () => {
        if (!saver) throw new Error(`langgraph programs: the "${init.name}" saver was not created`);
        const reference = normalizeForComparison(
          await program.run(new MemorySaver(), `langgraph-${program.name}-${randomUUID()}`),
        );
        const actual = normalizeForComparison(
          await program.run(saver, `langgraph-${program.name}-${randomUUID()}`),
        );
        expect(actual, `${init.name} and LangGraph's MemorySaver disagree`).toStrictEqual(
          reference,
        );
        program.check(actual);
      });
    }
  });
}
