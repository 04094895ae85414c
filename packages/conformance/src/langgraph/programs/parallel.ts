import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (g) Two branches in parallel, joined by a node that waits for both. */
export const parallelProgram: LangGraphProgram = {
  name: "parallel",
  title:
    "parallel: two branches run in one step and a join waits for both; two turns on one thread",
  async run(checkpointer, threadId) {
    const State = Annotation.Root({
      question: Annotation<string>(),
      notes: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
      answer: Annotation<string>(),
    });
    const graph = new StateGraph(State)
      .addNode("split", async () => ({ notes: ["split"] }))
      .addNode("search", async (state) => ({ notes: [`search: ${state.question}`] }))
      .addNode("recall", async (state) => ({ notes: [`recall: ${state.question}`] }))
      .addNode("join", async (state) => ({ answer: [...state.notes].sort().join(" | ") }))
      .addEdge(START, "split")
      .addEdge("split", "search")
      .addEdge("split", "recall")
      .addEdge(["search", "recall"], "join")
      .addEdge("join", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const first = await graph.invoke({ question: "q1" }, config);
    const second = await graph.invoke({ question: "q2" }, config);
    const history = await collect(graph.getStateHistory(config));
    return {
      first,
      second,
      history: history.map((s) => ({ next: s.next, values: s.values, step: s.metadata?.step })),
    };
  },
  check(result) {
    expect(result.first.notes).toStrictEqual(["split", "recall: q1", "search: q1"]);
    expect(result.first.answer).toBe("recall: q1 | search: q1 | split");
    expect(result.second.notes).toStrictEqual([
      "split",
      "recall: q1",
      "search: q1",
      "split",
      "recall: q2",
      "search: q2",
    ]);
    const turn = [[], ["join"], ["recall", "search"], ["split"], ["__start__"]];
    expect(result.history.map((s: any) => [...s.next].sort())).toStrictEqual([...turn, ...turn]);
  },
};
