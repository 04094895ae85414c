import { Annotation, Command, END, interrupt, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { threadConfig } from "./support.js";

/** (c) `interrupt()` inside a node, resumed with `new Command({ resume })`. */
export const interruptProgram: LangGraphProgram = {
  name: "interrupt",
  title:
    "interrupt: a node pauses with interrupt(), the pause is in getState, Command({ resume }) finishes it and nodes before it do not run again",
  async run(checkpointer, threadId) {
    const runs = { write: 0, review: 0 };
    const State = Annotation.Root({
      topic: Annotation<string>(),
      draft: Annotation<string>(),
      verdict: Annotation<string>(),
    });
    const graph = new StateGraph(State)
      .addNode("write", async (state) => {
        runs.write++;
        return { draft: `An essay about ${state.topic}.` };
      })
      .addNode("review", async (state) => {
        runs.review++;
        const verdict = interrupt({ question: "Approve the draft?", draft: state.draft });
        return { verdict: String(verdict) };
      })
      .addEdge(START, "write")
      .addEdge("write", "review")
      .addEdge("review", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const paused = await graph.invoke({ topic: "cats" }, config);
    const pausedState = await graph.getState(config);
    const resumed = await graph.invoke(new Command({ resume: "approved" }), config);
    const finalState = await graph.getState(config);
    return { paused, pausedState, resumed, finalState, runs };
  },
  check(result) {
    const pause = { question: "Approve the draft?", draft: "An essay about cats." };
    expect(result.paused.__interrupt__.map((i: any) => i.value)).toStrictEqual([pause]);
    expect(result.pausedState.next).toStrictEqual(["review"]);
    expect(result.pausedState.tasks[0].interrupts.map((i: any) => i.value)).toStrictEqual([pause]);
    expect(result.pausedState.values).toStrictEqual({
      topic: "cats",
      draft: "An essay about cats.",
    });
    expect(result.resumed).toStrictEqual({
      topic: "cats",
      draft: "An essay about cats.",
      verdict: "approved",
    });
    expect(result.finalState.next).toStrictEqual([]);
    expect(result.finalState.values).toStrictEqual(result.resumed);
    // The node that paused runs again on resume; the one before it does not.
    expect(result.runs).toStrictEqual({ write: 1, review: 2 });
  },
};
