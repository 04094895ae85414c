import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (h) getStateHistory: its length, the sequence of `next`, and its options. */
export const historyProgram: LangGraphProgram = {
  name: "history",
  title:
    "history: getStateHistory lists every checkpoint newest first with the right next, source and step, and honours limit, before and filter",
  async run(checkpointer, threadId) {
    const State = Annotation.Root({
      count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
    });
    const graph = new StateGraph(State)
      .addNode("one", async () => ({ count: 1 }))
      .addNode("two", async () => ({ count: 10 }))
      .addNode("three", async () => ({ count: 100 }))
      .addEdge(START, "one")
      .addEdge("one", "two")
      .addEdge("two", "three")
      .addEdge("three", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    await graph.invoke({ count: 0 }, config);
    await graph.invoke({ count: 1000 }, config);
    const summary = (s: { next: string[]; values: unknown; metadata?: any }) => ({
      next: s.next,
      values: s.values,
      source: s.metadata?.source,
      step: s.metadata?.step,
    });
    const all = await collect(graph.getStateHistory(config));
    const limited = await collect(graph.getStateHistory(config, { limit: 3 }));
    const before = await collect(graph.getStateHistory(config, { before: all[4]!.config }));
    const inputs = await collect(graph.getStateHistory(config, { filter: { source: "input" } }));
    return {
      all: all.map(summary),
      limited: limited.map(summary),
      before: before.map(summary),
      inputs: inputs.map(summary),
    };
  },
  check(result) {
    const turn = [
      { next: [], source: "loop", count: 1222 },
      { next: ["three"], source: "loop", count: 1122 },
      { next: ["two"], source: "loop", count: 1112 },
      { next: ["one"], source: "loop", count: 1111 },
      { next: ["__start__"], source: "input", count: 111 },
    ];
    expect(result.all.length).toBe(10);
    expect(result.all.map((s: any) => s.next)).toStrictEqual([
      [],
      ["three"],
      ["two"],
      ["one"],
      ["__start__"],
      [],
      ["three"],
      ["two"],
      ["one"],
      ["__start__"],
    ]);
    expect(result.all.map((s: any) => s.step)).toStrictEqual([8, 7, 6, 5, 4, 3, 2, 1, 0, -1]);
    // The second turn's input adds to what the first turn left.
    expect(result.all.slice(0, 5).map((s: any) => s.values.count)).toStrictEqual(
      turn.map((t) => t.count),
    );
    expect(result.all[5].values.count).toBe(111);
    expect(result.all.map((s: any) => s.source)).toStrictEqual(
      [...turn, ...turn].map((t) => t.source),
    );
    expect(result.limited).toStrictEqual(result.all.slice(0, 3));
    expect(result.before).toStrictEqual(result.all.slice(5));
    expect(result.inputs).toStrictEqual([result.all[4], result.all[9]]);
  },
};
