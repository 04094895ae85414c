import { Annotation, Command, END, interrupt, Send, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (d) `Send` fan-out from a conditional edge to a worker, a reducer collecting the results. */
export const sendProgram: LangGraphProgram = {
  name: "send",
  title:
    "send: a conditional edge fans out with Send to a worker and a reducer collects every result, also across a pause inside one worker",
  async run(checkpointer, threadId) {
    const runs: string[] = [];
    const State = Annotation.Root({
      topics: Annotation<string[]>(),
      jokes: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const graph = new StateGraph(State)
      .addNode("worker", async (state: { topic: string }) => {
        runs.push(state.topic);
        // One worker asks first: the others' results and the Sends still to
        // run are read back from the checkpointer on resume.
        const suffix = state.topic === "dogs" ? ` (${String(interrupt(`Joke about dogs?`))})` : "";
        return { jokes: [`A joke about ${state.topic}${suffix}.`] };
      })
      .addNode("collect", async (state) => ({ jokes: [`${state.jokes.length} jokes`] }))
      .addConditionalEdges(
        START,
        (state) => state.topics.map((topic) => new Send("worker", { topic })),
        ["worker"],
      )
      .addEdge("worker", "collect")
      .addEdge("collect", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const paused = await graph.invoke({ topics: ["cats", "dogs", "owls"] }, config);
    const pausedState = await graph.getState(config);
    const done = await graph.invoke(new Command({ resume: "yes" }), config);
    const history = await collect(graph.getStateHistory(config));
    return {
      paused,
      pausedState: { next: pausedState.next, values: pausedState.values, tasks: pausedState.tasks },
      done,
      history: history.map((s) => ({ next: s.next, values: s.values })),
      runs: [...runs].sort(),
    };
  },
  check(result) {
    expect(result.paused.__interrupt__.map((i: any) => i.value)).toStrictEqual([
      "Joke about dogs?",
    ]);
    // Two workers' results are saved; the one that paused is still to run.
    expect(result.pausedState.next).toStrictEqual(["worker"]);
    expect(result.done.jokes).toStrictEqual([
      "A joke about cats.",
      "A joke about dogs (yes).",
      "A joke about owls.",
      "3 jokes",
    ]);
    // Only the worker that paused runs again.
    expect(result.runs).toStrictEqual(["cats", "dogs", "dogs", "owls"]);
    expect(result.history.map((s: any) => s.next)).toStrictEqual([
      [],
      ["collect"],
      ["worker", "worker", "worker"],
      ["__start__"],
    ]);
  },
};
