// The same five workloads on @langchain/langgraph's Functional API, the
// program Savepoint is a drop-in for. Only the imports differ from
// workloads.ts (and `durability` is left at LangGraph's default).
import {
  type BaseCheckpointSaver,
  entrypoint,
  Command as LgCommand,
  interrupt as lgInterrupt,
  task as lgTask,
} from "@langchain/langgraph";
import { countAll, type Flows, fillHistory, threadId } from "./workloads.js";

const writeEssay = lgTask("writeEssay", async (topic: string) => `An essay about topic: ${topic}`);
const step = lgTask("step", async (i: number) => i + 1);

export function langGraphFlows(checkpointer: BaseCheckpointSaver): Flows {
  const cfg = (label: string) => ({ configurable: { thread_id: threadId(`lg-${label}`) } });
  const essay = entrypoint({ name: "workflow", checkpointer }, async (topic: string) => {
    const text = await writeEssay(topic);
    const isApproved = lgInterrupt({ essay: text, action: "Please approve/reject the essay" });
    return { essay: text, isApproved };
  });
  const sequential = entrypoint({ name: "sequential", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return sum;
  });
  const parallel = entrypoint({ name: "parallel", checkpointer }, async (n: number) => {
    const all = await Promise.all(Array.from({ length: n }, (_, i) => step(i)));
    return all.length;
  });
  const pauseAfter = entrypoint({ name: "pauseAfter", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    const ok = lgInterrupt("continue?");
    return { sum, ok };
  });
  const one = entrypoint({ name: "one", checkpointer }, async (n: number) => step(n));
  const histories = new Map<number, ReturnType<typeof cfg>>();

  return {
    async seed(threads) {
      const t0 = performance.now();
      for (let t = 0; t < threads; t++) {
        const config = cfg("w1");
        await essay.invoke("cat", config);
        const done = (await essay.invoke(new LgCommand({ resume: true }), config)) as {
          isApproved?: boolean;
        };
        if (done.isApproved !== true)
          throw new Error("W1 (LangGraph): the seed flow did not finish");
      }
      return performance.now() - t0;
    },
    async sequential(n) {
      const t0 = performance.now();
      const sum = await sequential.invoke(n, cfg("w2"));
      const ms = performance.now() - t0;
      if (sum !== (n * (n + 1)) / 2) throw new Error("W2 (LangGraph): wrong sum");
      return ms;
    },
    async parallel(width) {
      const t0 = performance.now();
      const count = await parallel.invoke(width, cfg("w3"));
      const ms = performance.now() - t0;
      if (count !== width) throw new Error("W3 (LangGraph): wrong count");
      return ms;
    },
    async resume(tasks) {
      const config = cfg("w4");
      await pauseAfter.invoke(tasks, config);
      const t0 = performance.now();
      const done = (await pauseAfter.invoke(new LgCommand({ resume: true }), config)) as {
        sum: number;
      };
      const ms = performance.now() - t0;
      if (done.sum !== (tasks * (tasks + 1)) / 2) throw new Error("W4 (LangGraph): wrong sum");
      return ms;
    },
    async history(checkpoints) {
      let config = histories.get(checkpoints);
      if (!config) {
        const c = cfg("w5");
        await fillHistory(
          checkpoints,
          (i) => one.invoke(i, c),
          () => countAll(one.getStateHistory(c)),
        );
        config = c;
        histories.set(checkpoints, c);
      }
      const t0 = performance.now();
      const seen = await countAll(one.getStateHistory(config, { limit: checkpoints }));
      const ms = performance.now() - t0;
      if (seen !== checkpoints) {
        throw new Error(`W5 (LangGraph): read ${seen} checkpoints, not ${checkpoints}`);
      }
      return ms;
    },
  };
}
