// Thread listings at scale, and what keeping thread records costs.
//
// T1: the first page (50) of a workflow's interrupted threads, with 1,000,
// 10,000 and 100,000 threads stored (half of them interrupted), on each
// durable saver. A listing served by an index stays flat as the table grows.
//
// T2: the essay-review flow (W1) and W2's per-task path on each saver, with
// thread records kept and with the saver's `threads` capability hidden (the
// runtime then sends no record updates: the run as it was before listings),
// alternating in one process.
import {
  type CheckpointSaver,
  Command,
  entrypoint,
  interrupt,
  newCheckpointId,
  task,
} from "@savepoint/core";
import { say } from "./log.js";
import { median } from "./stats.js";

/** T1: one saver's first-page time at each size. */
export interface ListingResult {
  backend: string;
  threads: number;
  /** Median ms of the first page of 50 interrupted threads. */
  firstPageMs: number;
  min: number;
  max: number;
}

/** T2: one saver's figures with and without thread records. */
export interface RecordCostResult {
  backend: string;
  /** µs per essay-review flow (two invokes). */
  flowWithUs: number;
  flowWithoutUs: number;
  /** µs per task, W2 at N = 200. */
  taskWithUs: number;
  taskWithoutUs: number;
  /** Each pair's with ÷ without, minus one: median, min and max over the pairs. */
  flowDifference: Spread;
  taskDifference: Spread;
  /** How many alternating pairs the figures are over. */
  pairs: number;
}

/** A median with the smallest and largest sample. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

const spread = (xs: number[]): Spread => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
});

const ENTRYPOINT = "bench-listing";

// Seeds `count` more threads straight through the saver (one checkpoint
// each, with its record), `parallel` at a time.
async function seed(saver: CheckpointSaver, from: number, count: number, parallel: number) {
  let next = from;
  const end = from + count;
  const worker = async () => {
    while (next < end) {
      const i = next++;
      const threadId = `bench-list-${String(i).padStart(7, "0")}`;
      const interrupted = i % 2 === 0;
      await saver.put(
        { configurable: { thread_id: threadId, checkpoint_ns: "" } },
        {
          v: 4,
          id: newCheckpointId(),
          ts: new Date().toISOString(),
          channel_values: {},
          channel_versions: {},
          versions_seen: {},
        },
        { source: "input", step: -1, parents: {} },
        {},
        {
          ifHead: null,
          thread: interrupted
            ? {
                entrypoint: ENTRYPOINT,
                status: "interrupted",
                interrupts: [{ id: `i${i}`, value: { essay: `essay ${i}`, action: "approve?" } }],
                metadata: { team: i % 3 === 0 ? "a" : "b" },
              }
            : { entrypoint: ENTRYPOINT, status: "done", metadata: { team: "b" } },
        },
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** T1 on one saver: seeds up to each size and times the first page at each. */
export async function measureListing(
  backend: string,
  saver: CheckpointSaver,
  sizes: readonly number[],
  runs: number,
  parallel: number,
): Promise<ListingResult[]> {
  const workflow = entrypoint({ name: ENTRYPOINT, checkpointer: saver }, async () => null);
  const out: ListingResult[] = [];
  let have = 0;
  for (const size of sizes) {
    say(`T1 ${backend}: seeding to ${size.toLocaleString("en-US")} threads`);
    await seed(saver, have, size - have, parallel);
    have = size;
    await workflow.threadsPage({ status: "interrupted", limit: 50 }); // warm-up
    const samples: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const page = await workflow.threadsPage({ status: "interrupted", limit: 50 });
      samples.push(performance.now() - t0);
      if (page.threads.length !== 50)
        throw new Error(`T1 ${backend}: a page of ${page.threads.length}`);
    }
    out.push({
      backend,
      threads: size,
      firstPageMs: median(samples),
      min: Math.min(...samples),
      max: Math.max(...samples),
    });
  }
  return out;
}

/** The saver as the runtime sees it without the `threads` capability. */
function withoutRecords(saver: CheckpointSaver): CheckpointSaver {
  return Object.create(saver, {
    capabilities: { value: { ...saver.capabilities, threads: false } },
  }) as CheckpointSaver;
}

let unique = 0;

function flows(saver: CheckpointSaver) {
  const write = task("writeEssay", async (topic: string) => `An essay about topic: ${topic}`);
  const step = task("step", async (i: number) => i + 1);
  const essay = entrypoint(
    { name: "bench-records", checkpointer: saver },
    async (topic: string) => {
      const text = await write(topic);
      return { essay: text, ok: interrupt({ essay: text }) };
    },
  );
  const sequential = entrypoint(
    { name: "bench-records-seq", checkpointer: saver },
    async (n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await step(i);
      return sum;
    },
  );
  return {
    async flow(count: number): Promise<number> {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const config = { configurable: { thread_id: `bench-records-${process.pid}-${unique++}` } };
        await essay.invoke("cat", config);
        await essay.invoke(new Command({ resume: true }), config);
      }
      return ((performance.now() - t0) * 1000) / count;
    },
    async tasks(n: number): Promise<number> {
      const t0 = performance.now();
      await sequential.invoke(n, { configurable: { thread_id: `bench-records-seq-${unique++}` } });
      return ((performance.now() - t0) * 1000) / n;
    },
  };
}

/**
 * T2 on one saver: with records and without, in short batches that
 * alternate (the order swapped every pair), so a burst of load on a shared
 * machine lands on one pair, not on one side. The difference is the median
 * of the pairs' ratios.
 */
export async function measureRecordCost(
  backend: string,
  saver: CheckpointSaver,
  flowsPerRun: number,
  runs: number,
): Promise<RecordCostResult> {
  const sides = [flows(saver), flows(withoutRecords(saver))] as const;
  const flow: [number[], number[]] = [[], []];
  const task: [number[], number[]] = [[], []];
  const flowRatio: number[] = [];
  const taskRatio: number[] = [];
  for (const side of sides) {
    await side.flow(Math.max(5, flowsPerRun / 10));
    await side.tasks(50);
  }
  // Eight pairs per run, each an eighth of a run's flows.
  const pairs = runs * 8;
  const batch = Math.max(5, Math.round(flowsPerRun / 8));
  say(`T2 ${backend}: ${pairs} alternating pairs of ${batch} flows and 100 tasks`);
  for (let r = 0; r < pairs; r++) {
    const order = r % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    const f: number[] = [];
    const t: number[] = [];
    for (const i of order) {
      f[i] = await sides[i].flow(batch);
      t[i] = await sides[i].tasks(100);
    }
    for (const i of [0, 1] as const) {
      flow[i].push(f[i]!);
      task[i].push(t[i]!);
    }
    flowRatio.push(f[0]! / f[1]! - 1);
    taskRatio.push(t[0]! / t[1]! - 1);
  }
  return {
    backend,
    flowWithUs: median(flow[0]),
    flowWithoutUs: median(flow[1]),
    taskWithUs: median(task[0]),
    taskWithoutUs: median(task[1]),
    flowDifference: spread(flowRatio),
    taskDifference: spread(taskRatio),
    pairs,
  };
}
