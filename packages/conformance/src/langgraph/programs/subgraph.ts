import { Annotation, Command, END, interrupt, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (e) A subgraph with a checkpoint namespace of its own, read with `getState(config, { subgraphs: true })`. */
export const subgraphProgram: LangGraphProgram = {
  name: "subgraph",
  title:
    "subgraph: a compiled subgraph as a node checkpoints in its own namespace, pauses inside, shows in getState(config, { subgraphs: true }) and resumes",
  async run(checkpointer, threadId) {
    // The subgraph shares `request` with its parent and hands back `steps`.
    const ChildState = Annotation.Root({
      request: Annotation<string>(),
      steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const State = Annotation.Root({
      request: Annotation<string>(),
      steps: Annotation<string[]>(),
      log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const child = new StateGraph(ChildState)
      .addNode("research", async (state) => ({ steps: [`researched ${state.request}`] }))
      .addNode("confirm", async () => ({
        steps: [`confirmed: ${String(interrupt("Go ahead?"))}`],
      }))
      .addEdge(START, "research")
      .addEdge("research", "confirm")
      .addEdge("confirm", END)
      .compile();
    const graph = new StateGraph(State)
      .addNode("intake", async () => ({ log: ["intake"] }))
      .addNode("child", child)
      .addNode("report", async (state) => ({
        log: [`report: ${state.steps.join(", ")}`],
      }))
      .addEdge(START, "intake")
      .addEdge("intake", "child")
      .addEdge("child", "report")
      .addEdge("report", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const paused = await graph.invoke({ request: "flights" }, config);
    const pausedState = await graph.getState(config, { subgraphs: true });
    const childState = pausedState.tasks[0]?.state;
    const childNs =
      childState && "config" in childState
        ? childState.config.configurable?.checkpoint_ns
        : undefined;
    // The subgraph's own history: its namespace, without a checkpoint id.
    const childHistory = childNs
      ? await collect(
          graph.getStateHistory({ configurable: { thread_id: threadId, checkpoint_ns: childNs } }),
        )
      : [];
    // Its config names one checkpoint: the history of that config is that checkpoint.
    const childNamed =
      childState && "config" in childState
        ? await collect(graph.getStateHistory(childState.config))
        : [];
    const done = await graph.invoke(new Command({ resume: "yes" }), config);
    const finalState = await graph.getState(config, { subgraphs: true });
    // Every checkpoint of the thread, root and subgraph namespaces alike.
    const namespaces: Record<string, number> = {};
    for await (const tuple of checkpointer.list({ configurable: { thread_id: threadId } })) {
      const ns = tuple.config.configurable?.checkpoint_ns ?? "";
      const kind = ns === "" ? "root" : ns.split(":")[0]!;
      namespaces[kind] = (namespaces[kind] ?? 0) + 1;
    }
    return {
      paused,
      pausedState,
      childHistory: childHistory.map((s) => ({ next: s.next, values: s.values })),
      childNamed: childNamed.map((s) => ({ next: s.next, config: s.config })),
      done,
      finalState,
      namespaces,
    };
  },
  check(result) {
    expect(result.paused.__interrupt__.map((i: any) => i.value)).toStrictEqual(["Go ahead?"]);
    expect(result.pausedState.next).toStrictEqual(["child"]);
    const childState = result.pausedState.tasks[0].state;
    expect(childState.next).toStrictEqual(["confirm"]);
    expect(childState.values).toStrictEqual({ request: "flights", steps: ["researched flights"] });
    expect(childState.config.configurable.checkpoint_ns).toMatch(/^child:/);
    expect(childState.tasks[0].interrupts.map((i: any) => i.value)).toStrictEqual(["Go ahead?"]);
    expect(result.childHistory.map((s: any) => s.next)).toStrictEqual([
      ["confirm"],
      ["research"],
      ["__start__"],
    ]);
    expect(result.childNamed).toStrictEqual([{ next: ["confirm"], config: childState.config }]);
    expect(result.done).toStrictEqual({
      request: "flights",
      steps: ["researched flights", "confirmed: yes"],
      log: ["intake", "report: researched flights, confirmed: yes"],
    });
    expect(result.finalState.next).toStrictEqual([]);
    expect(Object.keys(result.namespaces).sort()).toStrictEqual(["child", "root"]);
  },
};
