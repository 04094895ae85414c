// The five workloads, written once against Savepoint's API. langgraph.ts
// writes the same programs against @langchain/langgraph, and dbos.ts the ones
// DBOS can express; each returns the milliseconds of its timed part only.

import {
  type CheckpointSaver,
  Command,
  type Durability,
  entrypoint,
  interrupt,
  task,
} from "@savepoint/core";
import { essayReview, type FunctionalApi } from "./essay.js";

export type { FunctionalApi } from "./essay.js";

/** The workloads as one implementation runs them. */
export interface Flows {
  /** W1: the essay-review flow (write essay, pause, resume) on `threads` new threads, one after another. */
  reviewFlow(threads: number): Promise<number>;
  /** W2: one run of `n` sequential tasks. */
  sequential(n: number): Promise<number>;
  /** W3: one run of `width` tasks started at once. */
  parallel(width: number): Promise<number>;
  /** W4: pauses a run after `tasks` finished tasks (untimed), then times its resume. */
  resume(tasks: number): Promise<number>;
  /** W5: times reading the whole state history of a thread that has at least `checkpoints` checkpoints. */
  history(checkpoints: number): Promise<number>;
}

let unique = 0;
/** A thread id no earlier run used, so every run starts on an empty thread. */
export const threadId = (label: string) =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${unique++}`;

/**
 * The five workloads on one library. `config` is merged into every call's
 * config (Savepoint's `durability`), `label` prefixes thread ids and errors.
 */
export function functionalFlows(
  api: FunctionalApi,
  checkpointer: unknown,
  label: string,
  config: Record<string, unknown> = {},
): Flows {
  const step = api.task("step", async (i: number) => i + 1);
  const cfg = (name: string) => ({
    configurable: { thread_id: threadId(`${label}-${name}`) },
    ...config,
  });
  // The benchmark measures the machinery, not the documentation's sleep (essay.ts).
  const essay = essayReview(api, checkpointer);
  const sequential = api.entrypoint({ name: "sequential", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return sum;
  });
  const parallel = api.entrypoint({ name: "parallel", checkpointer }, async (n: number) => {
    const all = await Promise.all(Array.from({ length: n }, (_, i) => step(i)));
    return all.length;
  });
  const pauseAfter = api.entrypoint({ name: "pauseAfter", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    const ok = api.interrupt("continue?");
    return { sum, ok };
  });
  const one = api.entrypoint({ name: "one", checkpointer }, async (n: number) => step(n));
  const histories = new Map<number, ReturnType<typeof cfg>>();
  const fail = (what: string) => new Error(`${what} (${label})`);

  return {
    async reviewFlow(threads) {
      const t0 = performance.now();
      for (let t = 0; t < threads; t++) {
        const c = cfg("w1");
        await essay.invoke("cat", c);
        const done = (await essay.invoke(new api.Command({ resume: true }), c)) as {
          isApproved?: boolean;
        };
        if (done.isApproved !== true) throw fail("W1: the essay-review flow did not finish");
      }
      return performance.now() - t0;
    },
    async sequential(n) {
      const t0 = performance.now();
      const sum = await sequential.invoke(n, cfg("w2"));
      const ms = performance.now() - t0;
      if (sum !== (n * (n + 1)) / 2) throw fail("W2: wrong sum");
      return ms;
    },
    async parallel(width) {
      const t0 = performance.now();
      const count = await parallel.invoke(width, cfg("w3"));
      const ms = performance.now() - t0;
      if (count !== width) throw fail("W3: wrong count");
      return ms;
    },
    async resume(tasks) {
      const c = cfg("w4");
      await pauseAfter.invoke(tasks, c);
      const t0 = performance.now();
      const done = (await pauseAfter.invoke(new api.Command({ resume: true }), c)) as {
        sum: number;
      };
      const ms = performance.now() - t0;
      if (done.sum !== (tasks * (tasks + 1)) / 2) throw fail("W4: wrong sum");
      return ms;
    },
    async history(checkpoints) {
      let c = histories.get(checkpoints);
      if (!c) {
        const fresh = cfg("w5");
        await fillHistory(
          checkpoints,
          (i) => one.invoke(i, fresh),
          () => countAll(one.getStateHistory(fresh)),
        );
        c = fresh;
        histories.set(checkpoints, fresh);
      }
      const t0 = performance.now();
      const seen = await countAll(one.getStateHistory(c, { limit: checkpoints }));
      const ms = performance.now() - t0;
      if (seen !== checkpoints) throw fail(`W5: read ${seen} checkpoints, not ${checkpoints}`);
      return ms;
    },
  };
}

export const savepointApi: FunctionalApi = { entrypoint, task, interrupt, Command };

/** The workloads on Savepoint, in the given durability mode (the default when left out). */
export function savepointFlows(checkpointer: CheckpointSaver, durability?: Durability): Flows {
  return functionalFlows(savepointApi, checkpointer, "sp", durability ? { durability } : {});
}

export async function countAll(items: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of items) n++;
  return n;
}

/**
 * Runs `invoke` until the thread holds at least `target` checkpoints. Each
 * implementation writes its own number of checkpoints per run (ours two, the
 * claim and the result), so it learns that number from the first run.
 */
export async function fillHistory(
  target: number,
  invoke: (i: number) => Promise<unknown>,
  count: () => Promise<number>,
): Promise<void> {
  await invoke(0);
  let have = await count();
  const perRun = Math.max(1, have);
  let i = 1;
  while (have < target) {
    const more = Math.ceil((target - have) / perRun);
    for (let k = 0; k < more; k++) await invoke(i++);
    have = await count();
  }
}
