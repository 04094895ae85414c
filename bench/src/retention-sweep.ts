// R2: sweeping expired threads on PostgreSQL while live work goes on.
//
// Each run starts on a fresh schema holding N finished threads (two
// checkpoints and a task write each, written through the saver's own `put`
// and `putWrites`, many at a time; the setup is timed apart and not
// counted), all idle longer than the saver's ttl as of the sweep's `now`.
// Then, in turn: a loop of live essay-review flows (8 at a time, on threads
// of their own) runs alone for as long as the previous sweep took (the
// baseline), and the same loop runs again while `saver.sweep({ now, limit:
// 1000 })` is called until `more` is false. The sweep's time, its threads
// per second, and each flow's latency (both invokes) are recorded per run;
// the figures are medians over the runs, with min and max.
//
// The sweep's `now` is the database's clock right after the setup plus the
// ttl, so every seeded thread has expired and every live flow (written
// later) has not: the sweep must remove exactly N threads, and no live flow
// may fail.
import {
  Command,
  entrypoint,
  interrupt,
  newCheckpointId,
  type RunnableConfig,
  task,
} from "@savepoint/core";
import { PostgresSaver } from "@savepoint/postgres";
import postgres from "postgres";
import { fmt, say } from "./log.js";
import type { Spread, SweepStudyResult } from "./retention-results.js";
import { DATABASE_URL } from "./services.js";
import { median } from "./stats.js";

const SCHEMA = "savepoint_bench_r2";
const ENTRYPOINT = "bench-expired";
const IDLE_MS = 3_600_000;
const CONCURRENCY = 8;
const SEED_PARALLEL = 16;

function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

function percentile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const emptyCheckpoint = (values: Record<string, unknown>, versions: Record<string, number>) => ({
  v: 4,
  id: newCheckpointId(),
  ts: new Date().toISOString(),
  channel_values: values,
  channel_versions: versions,
  versions_seen: {},
});

// One finished essay-review-like thread: the run's first checkpoint (with
// its input), its task's result, and its last checkpoint (with its output).
async function seedThread(saver: PostgresSaver, threadId: string): Promise<void> {
  const config = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
  const topic = `topic of ${threadId}`;
  const first = emptyCheckpoint({ __input__: topic }, { __input__: 1 });
  const firstConfig = await saver.put(
    config,
    first,
    { source: "input", step: -1, parents: {} },
    { __input__: 1 },
    {
      ifHead: null,
      thread: { entrypoint: ENTRYPOINT, status: "running", lease: { owner: threadId, ms: 1 } },
    },
  );
  await saver.putWrites(firstConfig, [["__return__", `An essay about ${topic}`]], "0:writeEssay");
  const last = emptyCheckpoint(
    { __input__: topic, __end__: { essay: `An essay about ${topic}`, isApproved: true } },
    { __input__: 1, __end__: 2 },
  );
  await saver.put(
    firstConfig,
    last,
    { source: "loop", step: 0, parents: {} },
    { __end__: 2 },
    { ifHead: first.id, thread: { entrypoint: ENTRYPOINT, status: "done" } },
  );
}

async function seed(saver: PostgresSaver, run: number, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await seedThread(saver, `r2-expired-${run}-${next++}`);
  };
  await Promise.all(Array.from({ length: SEED_PARALLEL }, worker));
}

const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);

/** The essay-review flow, 8 at a time on new threads, until `stop()`; each flow's milliseconds. */
async function liveLoop(saver: PostgresSaver, label: string, stop: () => boolean) {
  const essay = entrypoint({ name: "bench-live", checkpointer: saver }, async (topic: string) => {
    const text = await writeEssay(topic);
    return { essay: text, isApproved: interrupt<{ essay: string }, boolean>({ essay: text }) };
  });
  const latencies: number[] = [];
  let failed = 0;
  let unique = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (!stop()) {
      const config: RunnableConfig = { configurable: { thread_id: `r2-${label}-${unique++}` } };
      const t0 = performance.now();
      try {
        await essay.invoke("cats", config);
        const done = (await essay.invoke(new Command({ resume: true }), config)) as {
          isApproved?: boolean;
        };
        if (done.isApproved !== true) throw new Error("the flow did not finish");
        latencies.push(performance.now() - t0);
      } catch (error) {
        if (failed++ === 0)
          say(`R2: a live flow failed (${error instanceof Error ? error.message : error})`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, failed, perS: latencies.length / ((performance.now() - t0) / 1000) };
}

interface Run {
  setupMs: number;
  sweepMs: number;
  calls: number;
  callMedianMs: number;
  callMaxMs: number;
  baseline: number[];
  during: number[];
  baselinePerS: number;
  duringPerS: number;
  failed: number;
}

/** One run: a fresh schema, N expired threads, the baseline loop for `baselineMs`, then the sweep with the loop. */
async function oneRun(sql: postgres.Sql, run: number, threads: number, baselineMs: number) {
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  const saver = new PostgresSaver(sql, { schema: SCHEMA, ttl: { idle: IDLE_MS } });
  try {
    await saver.setup();
    const s0 = performance.now();
    await seed(saver, run, threads);
    const setupMs = performance.now() - s0;
    // What autovacuum does to a real table between its writes and a sweep,
    // done now so that no run sweeps a table without statistics.
    for (const { name } of await sql<{ name: string }[]>`
      select table_name as name from information_schema.tables where table_schema = ${SCHEMA}`)
      await sql.unsafe(`ANALYZE "${SCHEMA}"."${name}"`);
    const [clock] = await sql<{ ms: number }[]>`
      select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`;
    const now = Number(clock!.ms) + IDLE_MS + 1;
    // Live writes land after this, so none of them is expired as of `now`.
    await new Promise((resolve) => setTimeout(resolve, 20));

    const b0 = performance.now();
    const baseline = await liveLoop(
      saver,
      `base-${run}`,
      () => performance.now() - b0 > baselineMs,
    );

    let sweeping = true;
    const during = liveLoop(saver, `sweep-${run}`, () => !sweeping);
    const callMs: number[] = [];
    let removed = 0;
    const t0 = performance.now();
    try {
      for (;;) {
        const c0 = performance.now();
        const result = await saver.sweep({ now, limit: 1000 });
        callMs.push(performance.now() - c0);
        removed += result.deleted + result.pruned;
        if (!result.more) break;
      }
    } finally {
      sweeping = false;
    }
    const sweepMs = performance.now() - t0;
    const live = await during;
    if (removed !== threads)
      throw new Error(`R2: the sweep removed ${fmt(removed)} threads, not ${fmt(threads)}`);
    return {
      setupMs,
      sweepMs,
      calls: callMs.length,
      callMedianMs: median(callMs),
      callMaxMs: Math.max(...callMs),
      baseline: baseline.latencies,
      during: live.latencies,
      baselinePerS: baseline.perS,
      duringPerS: live.perS,
      failed: baseline.failed + live.failed,
    } satisfies Run;
  } finally {
    await saver.close();
  }
}

/** R2: a warm-up at a tenth of the size, then `runs` runs of `threads` expired threads. */
export async function measureSweep(threads: number, runs: number): Promise<SweepStudyResult> {
  const sql = postgres(DATABASE_URL, { onnotice: () => {}, connect_timeout: 3, max: 20 });
  try {
    const warmupThreads = Math.max(100, Math.round(threads / 10));
    say(`R2 PostgreSQL: warm-up, ${fmt(warmupThreads)} expired threads`);
    const warm = await oneRun(sql, 0, warmupThreads, 1_000);
    let baselineMs = Math.min(120_000, Math.max(1_000, (warm.sweepMs * threads) / warmupThreads));
    const done: Run[] = [];
    for (let r = 1; r <= runs; r++) {
      say(
        `R2 PostgreSQL: run ${r}/${runs}, ${fmt(threads)} expired threads, ` +
          `baseline ${(baselineMs / 1000).toFixed(1)} s, then the sweep beside ${CONCURRENCY} live flows`,
      );
      const run = await oneRun(sql, r, threads, baselineMs);
      say(
        `R2 PostgreSQL: setup ${(run.setupMs / 1000).toFixed(1)} s; sweep ${(run.sweepMs / 1000).toFixed(2)} s ` +
          `in ${run.calls} calls; flow p99 ${percentile(run.baseline, 0.99).toFixed(1)} ms alone, ` +
          `${percentile(run.during, 0.99).toFixed(1)} ms during the sweep`,
      );
      done.push(run);
      baselineMs = Math.max(1_000, run.sweepMs);
    }
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    const over = (f: (r: Run) => number) => spread(done.map(f));
    return {
      backend: "PostgreSQL",
      threads,
      runs,
      concurrency: CONCURRENCY,
      setupS: over((r) => r.setupMs / 1000),
      sweepS: over((r) => r.sweepMs / 1000),
      threadsPerS: over((r) => threads / (r.sweepMs / 1000)),
      calls: median(done.map((r) => r.calls)),
      callMs: {
        median: median(done.map((r) => r.callMedianMs)),
        min: Math.min(...done.map((r) => r.callMedianMs)),
        max: Math.max(...done.map((r) => r.callMaxMs)),
      },
      flowsPerS: { baseline: over((r) => r.baselinePerS), during: over((r) => r.duringPerS) },
      p50: {
        baseline: over((r) => percentile(r.baseline, 0.5)),
        during: over((r) => percentile(r.during, 0.5)),
      },
      p99: {
        baseline: over((r) => percentile(r.baseline, 0.99)),
        during: over((r) => percentile(r.during, 0.99)),
      },
      failedFlows: done.reduce((n, r) => n + r.failed, 0),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
