/**
 * Savepoint's Redis saver against Redis's own floor, on the Redis service
 * (REDIS_URL) and on a 3-master Redis Cluster started here from the
 * `redis-server` binary (the test helper of @savepoint/redis).
 *
 * Rows (each the median of 5 runs after one warm-up run; the raw floor, the
 * saver alone and the per-task runs take turns within each round):
 * - raw: `PING` and `SET` round trips, one at a time (the floor).
 * - per task: one run of 1,000 sequential tasks, total time / 1,000, with
 *   durability "sync" and the default ("async"); also the commands sent per task.
 * - essay-review flow: the essay review (task, interrupt, resume) per thread.
 */
import {
  type CheckpointSaver,
  Command,
  type Durability,
  entrypoint,
  interrupt,
  newCheckpointId,
  task,
} from "@savepoint/core";
import { MemorySaver } from "@savepoint/memory";
import { RedisSaver } from "@savepoint/redis";
import { type Cluster, Redis } from "ioredis";
import { startCluster } from "../../packages/redis/test/cluster.js";
import { median } from "./stats.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUNS = 5;
const TASKS = 1_000;
const THREADS = Number(process.env.BENCH_THREADS ?? 1_000);

let unique = 0;
const id = (label: string) => `bench-${label}-${process.pid}-${Date.now()}-${unique++}`;

/** Median over RUNS of `fn`'s milliseconds per operation, after one warm-up run. */
async function measure(ops: number, fn: () => Promise<void>): Promise<number> {
  return (await measureAll([{ ops, fn }]))[0]!;
}

/**
 * Like {@link measure} for several workloads, run in turns (one run of each
 * per round), so that load from other processes on a shared machine falls on
 * the floor and on the workloads alike and their ratios stay meaningful.
 */
async function measureAll(work: { ops: number; fn: () => Promise<void> }[]): Promise<number[]> {
  for (const w of work) await w.fn();
  const samples: number[][] = work.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, w] of work.entries()) {
      const t0 = performance.now();
      await w.fn();
      samples[i]!.push((performance.now() - t0) / w.ops);
    }
  }
  return samples.map(median);
}

interface Row {
  storage: string;
  workload: string;
  ms: number;
  note?: string;
}

// Counts the commands a client sends (ioredis' sendCommand), to check the
// "one round trip per task write" claim alongside the timings.
function countCommands(client: Redis | Cluster): { count(): number; stop(): void } {
  const target = client as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const original = target.sendCommand;
  let n = 0;
  target.sendCommand = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  return {
    count: () => n,
    stop() {
      target.sendCommand = original;
    },
  };
}

function workloads(checkpointer: CheckpointSaver) {
  const step = task("step", async (i: number) => i + 1);
  const many = entrypoint({ name: "many", checkpointer }, async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await step(i);
    return sum;
  });
  const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);
  const essay = entrypoint({ name: "essay", checkpointer }, async (topic: string) => {
    const text = await writeEssay(topic);
    const isApproved = interrupt({ essay: text, action: "Please approve/reject the essay" });
    return { essay: text, isApproved };
  });
  return {
    perTask: (durability?: Durability) => async () => {
      const config = {
        configurable: { thread_id: id("many") },
        ...(durability ? { durability } : {}),
      };
      const sum = await many.invoke(TASKS, config);
      if (sum !== (TASKS * (TASKS + 1)) / 2) throw new Error("the task loop gave the wrong sum");
    },
    reviewFlow: (threads: number) => async () => {
      for (let t = 0; t < threads; t++) {
        const config = { configurable: { thread_id: id("essay") } };
        await essay.invoke("cat", config);
        const done = (await essay.invoke(new Command({ resume: true }), config)) as {
          isApproved?: unknown;
        };
        if (done.isApproved !== true) throw new Error("the essay flow did not finish");
      }
    },
  };
}

async function benchOne(storage: string, client: Redis | Cluster, rows: Row[]): Promise<void> {
  const log = (msg: string) => console.error(`[bench:redis] ${storage}: ${msg}`);
  const prefix = `bench-${process.pid}-${Date.now().toString(36)}`;
  try {
    const saver = new RedisSaver(client, { prefix });
    const w = workloads(saver);
    const config = await saver.put(
      { configurable: { thread_id: id("direct") } },
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
    );
    let n = 0;
    const counter = countCommands(client);
    await w.perTask("sync")();
    const perTaskCommands = counter.count() / TASKS;
    counter.stop();

    log("raw PING / SET, putWrites alone, per task (interleaved)");
    // A value about the size of one small task write, on keys spread like threads.
    const value = JSON.stringify({ v: 1, channel: "__return__", task: "0123456789abcdef" });
    const [ping, set, direct, sync, dflt] = await measureAll([
      {
        ops: TASKS,
        fn: async () => {
          for (let i = 0; i < TASKS; i++) await client.ping();
        },
      },
      {
        ops: TASKS,
        fn: async () => {
          for (let i = 0; i < TASKS; i++) await client.set(`${prefix}:raw:{${i % 64}}`, value);
        },
      },
      {
        ops: TASKS,
        fn: async () => {
          for (let i = 0; i < TASKS; i++) {
            await saver.putWrites(config, [["__return__", i]], `task-${n++}`);
          }
        },
      },
      { ops: TASKS, fn: w.perTask("sync") },
      { ops: TASKS, fn: w.perTask() },
    ]);
    rows.push({ storage, workload: "raw PING", ms: ping! });
    rows.push({ storage, workload: "raw SET", ms: set! });
    rows.push({
      storage,
      workload: "RedisSaver.putWrites (1 write)",
      ms: direct!,
      note: `${(direct! / set!).toFixed(2)}x raw SET (target <= 1.5x)`,
    });
    rows.push({
      storage,
      workload: `Savepoint per task (${TASKS} tasks, sync)`,
      ms: sync!,
      note: `${(sync! / set!).toFixed(2)}x raw SET (target <= 1.5x); ${perTaskCommands.toFixed(3)} commands/task`,
    });
    rows.push({
      storage,
      workload: `Savepoint per task (${TASKS} tasks, default)`,
      ms: dflt!,
      note: `${(dflt! / set!).toFixed(2)}x raw SET`,
    });
    log("Savepoint essay-review flow");
    const review = await measure(THREADS, w.reviewFlow(THREADS));
    rows.push({
      storage,
      workload: `Savepoint essay-review flow (${THREADS} threads)`,
      ms: review,
      note: `${(review / set!).toFixed(1)}x raw SET per thread`,
    });
  } finally {
    log("cleaning up");
    await deletePrefix(client, prefix);
  }
}

// SCAN on the benchmark's own random prefix, once at the end: cleanup only.
async function deletePrefix(client: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = client.isCluster ? (client as Cluster).nodes("master") : [client as Redis];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) {
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.del(key);
        await pipeline.exec();
      }
    } while (cursor !== "0");
  }
}

function table(rows: Row[]): string {
  const head = ["storage", "workload", "ms/op", "note"];
  const body = rows.map((r) => [r.storage, r.workload, r.ms.toFixed(3), r.note ?? ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(head),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...body.map(line),
  ].join("\n");
}

/**
 * Runs every Redis workload on single Redis and on a local 3-master Cluster,
 * and prints one table with ratios to a raw SET.
 *
 * @example
 * ```ts
 * await benchRedis();
 * ```
 */
export async function benchRedis(): Promise<void> {
  const rows: Row[] = [];
  // The runtime's own cost per task, with no storage round trip at all.
  console.error("[bench:redis] MemorySaver per task (runtime floor)");
  const memory = workloads(new MemorySaver());
  rows.push({
    storage: "memory",
    workload: `MemorySaver per task (${TASKS} tasks, sync)`,
    ms: await measure(TASKS, memory.perTask("sync")),
  });
  rows.push({
    storage: "memory",
    workload: `MemorySaver per task (${TASKS} tasks, default)`,
    ms: await measure(TASKS, memory.perTask()),
  });
  const single = new Redis(REDIS_URL);
  try {
    await benchOne("Redis", single, rows);
  } finally {
    single.disconnect();
  }
  console.error("[bench:redis] starting a 3-master Cluster");
  const cluster = await startCluster(3);
  const client = cluster.client();
  try {
    await benchOne("Redis Cluster (3 masters)", client, rows);
  } finally {
    client.disconnect();
    await cluster.stop();
  }
  console.log(
    `\nRedis saver benchmark (median of ${RUNS} runs after a warm-up; ms per operation)\n`,
  );
  console.log(table(rows));
  console.log("");
}
