import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (f) `updateState`, and time travel: a fork from an older checkpoint of `getStateHistory`. */
export const timeTravelProgram: LangGraphProgram = {
  name: "time-travel",
  title:
    "time travel: updateState adds a checkpoint; invoke(null) from an older one forks (also after updateState on it) and the original branch is unchanged",
  async run(checkpointer, threadId) {
    const runs = { a: 0, b: 0, c: 0 };
    const State = Annotation.Root({
      path: Annotation<string[]>({ reducer: (x, y) => x.concat(y), default: () => [] }),
    });
    const step = (name: "a" | "b" | "c") => async () => {
      runs[name]++;
      return { path: [name] };
    };
    const graph = new StateGraph(State)
      .addNode("a", step("a"))
      .addNode("b", step("b"))
      .addNode("c", step("c"))
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", "c")
      .addEdge("c", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const first = await graph.invoke({ path: ["start"] }, config);
    // updateState on the latest checkpoint, as if node "c" wrote it.
    const updatedConfig = await graph.updateState(config, { path: ["note"] }, "c");
    const updated = await graph.getState(config);
    const original = await collect(graph.getStateHistory(config));
    // The checkpoint that was about to run "b".
    const beforeB = original.find((s) => s.next.length === 1 && s.next[0] === "b")!;
    const replay = await graph.invoke(null, beforeB.config);
    const runsAfterReplay = { ...runs };
    // Edit that old checkpoint, then continue from the edit: a second fork.
    const editConfig = await graph.updateState(beforeB.config, { path: ["edited"] });
    const fork = await graph.invoke(null, editConfig);
    const latest = await graph.getState(config);
    // The original branch, read by its checkpoint ids, is as it was.
    const originalAgain = [];
    for (const snapshot of original) originalAgain.push(await graph.getState(snapshot.config));
    const all = await collect(graph.getStateHistory(config));
    return {
      first,
      updatedConfig,
      updated: { values: updated.values, next: updated.next, metadata: updated.metadata },
      original: original.map((s) => ({ next: s.next, values: s.values, config: s.config })),
      replay,
      runsAfterReplay,
      fork,
      latest: { values: latest.values, next: latest.next, parentConfig: latest.parentConfig },
      originalAgain: originalAgain.map((s) => ({ next: s.next, values: s.values })),
      all: all.map((s) => ({ next: s.next, values: s.values, source: s.metadata?.source })),
      runs,
    };
  },
  check(result) {
    expect(result.first.path).toStrictEqual(["start", "a", "b", "c"]);
    expect(result.updated.values.path).toStrictEqual(["start", "a", "b", "c", "note"]);
    expect(result.updated.metadata.source).toBe("update");
    expect(result.replay.path).toStrictEqual(["start", "a", "b", "c"]);
    expect(result.runsAfterReplay).toStrictEqual({ a: 1, b: 2, c: 2 });
    expect(result.fork.path).toStrictEqual(["start", "a", "edited", "b", "c"]);
    expect(result.latest.values).toStrictEqual(result.fork);
    expect(result.originalAgain).toStrictEqual(
      result.original.map((s: any) => ({ next: s.next, values: s.values })),
    );
    // Both forks are in the thread's history, next to the original branch:
    // the replay starts with a "fork" checkpoint, the edit with an "update".
    expect(result.all.map((s: any) => [s.source, s.next])).toStrictEqual([
      ["loop", []],
      ["loop", ["c"]],
      ["update", ["b"]],
      ["loop", []],
      ["loop", ["c"]],
      ["fork", ["b"]],
      ["update", []],
      ["loop", []],
      ["loop", ["c"]],
      ["loop", ["b"]],
      ["loop", ["a"]],
      ["input", ["__start__"]],
    ]);
    expect(result.runs).toStrictEqual({ a: 1, b: 3, c: 3 });
  },
};
