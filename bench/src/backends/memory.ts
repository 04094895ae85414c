// Memory: Savepoint's and LangGraph.js's MemorySaver. The anchor is an empty
// async function call, awaited: the floor of any in-memory task.
import { MemorySaver as LgMemorySaver } from "@langchain/langgraph";
import { MemorySaver } from "@savepoint/memory";
import { type AnchorLoop, measureLoops } from "../anchors.js";
import type { Backend } from "./backend.js";

async function empty(i: number): Promise<number> {
  return i;
}

const emptyCallLoop: AnchorLoop = async (calls) => {
  const t0 = performance.now();
  let s = 0;
  for (let i = 0; i < calls; i++) s += await empty(i);
  const ms = performance.now() - t0;
  if (s < 0) throw new Error("unreachable");
  return ms;
};

export const memory: Backend = {
  id: "memory",
  durable: false,
  async open() {
    return {
      saver: () => new MemorySaver(),
      langgraph: () => new LgMemorySaver(),
      anchor: {
        what: "empty async function call",
        name: "empty async call",
        async measure(options, plan) {
          const { empty } = await measureLoops({ empty: emptyCallLoop }, plan.emptyCalls, options);
          return { us: empty, figures: { emptyCall: empty } };
        },
        loop: async (plan) => ({ ops: plan.emptyLoopCalls, run: emptyCallLoop }),
      },
      close: async () => {},
    };
  },
};
