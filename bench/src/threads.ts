// Thread listings at scale, and what keeping thread records costs.
//
// T1: the first page (50) of a workflow's interrupted threads, with 1,000,
// 10,000 and 100,000 threads stored (half of them interrupted, each size in
// a store of its own, measured in turn), on each durable saver. A listing
// served by an index stays flat as the table grows.
//
// T2: the essay-review flow (W1) and W2's per-task path on each saver, with
// thread records kept and with the saver's `threads` capability hidden (the
// runtime then sends no record updates: the run as it was before listings),
// alternating flow by flow in one process.
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
  /** µs per essay-review flow (two invokes), mean of the fastest 90%. */
  flowWithUs: number;
  flowWithoutUs: number;
  /** µs per task in runs of 100 sequential tasks, mean of the fastest 90%. */
  taskWithUs: number;
  taskWithoutUs: number;
  /**
   * With ÷ without, minus one: `median` over every sample, `min` and `max`
   * over eight consecutive blocks of them (the field keeps its name from
   * results that stored a median of pairs).
   */
  flowDifference: Spread;
  taskDifference: Spread;
  /** How many flows each side ran (alternating one by one). */
  pairs: number;
}

/** A central figure with the smallest and largest one it was drawn from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

const ENTRYPOINT = "bench-listing";

// Seeds `count` threads straight through the saver (one checkpoint each,
// with its record), `parallel` at a time.
async function seed(saver: CheckpointSaver, count: number, parallel: number) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
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

/** A saver on storage of its own (a backend's `storeOfItsOwn`), and how to remove that storage. */
export interface OwnStore {
  saver: CheckpointSaver;
  drop(): Promise<void>;
}

/**
 * T1 on one backend: a store of its own per size, each seeded to its size,
 * then the first page timed on each in turn, the order rotated every round,
 * so a burst of load (a vacuum after the seeding, another process) lands on
 * every size alike rather than on whichever size was measured then.
 */
export async function measureListing(
  backend: string,
  storeOfItsOwn: ((name: string) => Promise<OwnStore>) | undefined,
  sizes: readonly number[],
  runs: number,
  parallel: number,
): Promise<ListingResult[]> {
  if (!storeOfItsOwn) throw new Error(`T1 ${backend}: the backend opens no store of its own`);
  const stores: OwnStore[] = [];
  try {
    const pages: (() => Promise<number>)[] = [];
    for (const size of sizes) {
      const store = await storeOfItsOwn(`t1_${size}`);
      stores.push(store);
      say(`T1 ${backend}: seeding a store to ${size.toLocaleString("en-US")} threads`);
      await seed(store.saver, size, parallel);
      const workflow = entrypoint(
        { name: ENTRYPOINT, checkpointer: store.saver },
        async () => null,
      );
      pages.push(async () => {
        const t0 = performance.now();
        const page = await workflow.threadsPage({ status: "interrupted", limit: 50 });
        const ms = performance.now() - t0;
        if (page.threads.length !== 50)
          throw new Error(`T1 ${backend}: a page of ${page.threads.length} at ${size}`);
        return ms;
      });
    }
    for (const page of pages) await page(); // warm-up
    const samples = sizes.map((): number[] => []);
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < sizes.length; k++) {
        const i = (r + k) % sizes.length;
        samples[i]!.push(await pages[i]!());
      }
    }
    return sizes.map((size, i) => ({
      backend,
      threads: size,
      firstPageMs: median(samples[i]!),
      min: Math.min(...samples[i]!),
      max: Math.max(...samples[i]!),
    }));
  } finally {
    for (const store of stores) await store.drop();
  }
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
    /** One essay-review flow (both invokes) on a new thread, in µs. */
    async flow(): Promise<number> {
      const config = { configurable: { thread_id: `bench-records-${process.pid}-${unique++}` } };
      const t0 = performance.now();
      await essay.invoke("cat", config);
      await essay.invoke(new Command({ resume: true }), config);
      return (performance.now() - t0) * 1000;
    },
    /** µs per task of one run of `n` sequential tasks. */
    async tasks(n: number): Promise<number> {
      const t0 = performance.now();
      await sequential.invoke(n, { configurable: { thread_id: `bench-records-seq-${unique++}` } });
      return ((performance.now() - t0) * 1000) / n;
    },
  };
}

// The mean of the fastest 90%: a sample a pause of the machine (a GC, another
// process) landed on weighs nothing, while every ordinary sample counts.
function trimmedMean(xs: number[]): number {
  const kept = [...xs].sort((a, b) => a - b).slice(0, Math.max(1, Math.floor(xs.length * 0.9)));
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

// The with ÷ without difference over all samples, and its smallest and
// largest over eight consecutive blocks (how much it moved during the run).
function difference(withUs: number[], withoutUs: number[]): Spread {
  const blocks: number[] = [];
  const size = Math.ceil(withUs.length / 8);
  for (let at = 0; at < withUs.length; at += size) {
    blocks.push(
      trimmedMean(withUs.slice(at, at + size)) / trimmedMean(withoutUs.slice(at, at + size)) - 1,
    );
  }
  return {
    median: trimmedMean(withUs) / trimmedMean(withoutUs) - 1,
    min: Math.min(...blocks),
    max: Math.max(...blocks),
  };
}

// `rounds` samples of each side into `into`, one side then the other, the
// order swapped every round.
async function alternate(
  rounds: number,
  into: [number[], number[]],
  sample: (side: 0 | 1) => Promise<number>,
): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (const i of r % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const))
      into[i].push(await sample(i));
  }
}

/**
 * T2 on one saver: with records and without, alternating every flow (and
 * every run of tasks), the order swapped each time, so a burst of load on a
 * shared machine lands on both sides alike. Each side's figure is the mean
 * of its fastest 90% of samples; the difference is the ratio of those.
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
  // Warm-up: the JIT and the database's caches, on both sides.
  for (let i = 0; i < Math.max(10, flowsPerRun / 2); i++)
    for (const side of sides) await side.flow();
  for (const side of sides) await side.tasks(100);
  const count = flowsPerRun * runs;
  const taskRuns = runs * 8;
  say(`T2 ${backend}: ${count} flows and ${taskRuns} runs of 100 tasks a side, alternating`);
  await alternate(count, flow, (i) => sides[i].flow());
  await alternate(taskRuns, task, (i) => sides[i].tasks(100));
  return {
    backend,
    flowWithUs: trimmedMean(flow[0]),
    flowWithoutUs: trimmedMean(flow[1]),
    taskWithUs: trimmedMean(task[0]),
    taskWithoutUs: trimmedMean(task[1]),
    flowDifference: difference(flow[0], flow[1]),
    taskDifference: difference(task[0], task[1]),
    pairs: count,
  };
}
