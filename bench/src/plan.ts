// What each run measures, by mode. Sizes adapt to the machine (stats.ts,
// compareAdaptive): a side whose figure is per unit (W1 threads, W3 runs)
// shrinks to fit a run into runBudgetMs; a side whose size is the parameter
// (W2's N, W4's 1,000 tasks) keeps it and runs fewer times past
// caseBudgetMs, or not at all past capMs. A cell says when either happened.
// LangGraph.js's W2 at N >= 10,000 runs once, capped, in rss-worker.ts.

import type { ColdPlan } from "./cold.js";

export interface Plan {
  runs: number;
  /** W1: threads per run. */
  threads: number;
  /** W2: N on the durable backends, and on memory. */
  sizes: number[];
  memorySizes: number[];
  /** W2: the N LangGraph.js runs in process (beyond them: over the budget, or the RSS table). */
  lgSizes: number[];
  /** W3: tasks started at once, and runs per sample. */
  parallel: number;
  parallelReps: number;
  /** W4: finished tasks before the resume. */
  resumeTasks: number;
  /** W5: checkpoints read. */
  history: number;
  /** Peak RSS: W2 N per child process, and its time cap. */
  rssSizes: number[];
  rssCapMs: number;
  /** W4 statement counts: finished tasks per counted resume. */
  countSizes: number[];
  /** S1: turns of the chat thread whose storage is measured. */
  storageTurns: number;
  /** T1: thread counts the first page of interrupted threads is timed at. */
  listingSizes: number[];
  /** T2: essay-review flows per run, with and without thread records. */
  recordFlows: number;
  /** R1: resumes of the growing-state thread whose storage is measured. */
  retentionResumes: number;
  /** R2: expired threads a sweep removes, per run. */
  sweepThreads: number;
  /** P1: thread counts, flows per round and alternating rounds. */
  throughput: { threads: number[]; flowsPerRound: number; rounds: number };
  /** C1: flows timed in each fresh process, processes per implementation, and the warm rounds after. */
  cold: ColdPlan;
  runBudgetMs: number;
  caseBudgetMs: number;
  capMs: number;
  /** Operations per run of a store's anchor (raw INSERT, SELECT 1, SET). */
  anchorOps: number;
  /** Calls per run of the empty-call anchor measured up front, and of the one alternating in W2 and W3. */
  emptyCalls: number;
  emptyLoopCalls: number;
}

export type Mode = "full" | "quick" | "smoke";

export const PLANS: Record<Mode, Plan> = {
  full: {
    runs: 5,
    threads: 1_000,
    sizes: [10, 100, 1_000, 10_000, 100_000],
    memorySizes: [10, 100, 1_000, 10_000, 100_000],
    lgSizes: [10, 100, 1_000],
    parallel: 100,
    parallelReps: 10,
    resumeTasks: 1_000,
    history: 1_000,
    rssSizes: [10_000, 100_000],
    rssCapMs: 120_000,
    countSizes: [10, 100, 1_000],
    storageTurns: 1_000,
    listingSizes: [1_000, 10_000, 100_000],
    recordFlows: 300,
    retentionResumes: 1_000,
    sweepThreads: 100_000,
    throughput: { threads: [1, 8, 32, 64], flowsPerRound: 128, rounds: 5 },
    cold: { flows: 200, processes: 5, warmRounds: 20, timedRounds: 20 },
    runBudgetMs: 3_000,
    caseBudgetMs: 15_000,
    capMs: 60_000,
    anchorOps: 1_000,
    emptyCalls: 1_000_000,
    emptyLoopCalls: 100_000,
  },
  // Small N and 3 runs: a check that every case still runs, not figures to quote.
  quick: {
    runs: 3,
    threads: 100,
    sizes: [10, 100, 1_000],
    memorySizes: [10, 100, 1_000, 10_000],
    lgSizes: [10, 100, 1_000],
    parallel: 100,
    parallelReps: 5,
    resumeTasks: 1_000,
    history: 1_000,
    rssSizes: [10_000],
    rssCapMs: 60_000,
    countSizes: [10, 100, 1_000],
    storageTurns: 200,
    listingSizes: [1_000, 10_000],
    recordFlows: 100,
    retentionResumes: 200,
    sweepThreads: 10_000,
    throughput: { threads: [1, 8, 64], flowsPerRound: 64, rounds: 3 },
    cold: { flows: 200, processes: 3, warmRounds: 10, timedRounds: 10 },
    runBudgetMs: 1_000,
    caseBudgetMs: 3_000,
    capMs: 15_000,
    anchorOps: 200,
    emptyCalls: 200_000,
    emptyLoopCalls: 100_000,
  },
  // One run of tiny cases, seconds per backend: checks the plumbing and the
  // shape of the results, never the figures (docs are not regenerated).
  smoke: {
    runs: 1,
    threads: 10,
    sizes: [10, 100],
    memorySizes: [10, 100],
    lgSizes: [10, 100],
    parallel: 10,
    parallelReps: 1,
    resumeTasks: 100,
    history: 100,
    rssSizes: [1_000],
    rssCapMs: 20_000,
    countSizes: [10],
    storageTurns: 20,
    listingSizes: [200, 1_000],
    recordFlows: 20,
    retentionResumes: 20,
    sweepThreads: 1_000,
    throughput: { threads: [1, 8], flowsPerRound: 16, rounds: 1 },
    cold: { flows: 20, processes: 1, warmRounds: 1, timedRounds: 1 },
    runBudgetMs: 200,
    caseBudgetMs: 1_000,
    capMs: 5_000,
    anchorOps: 50,
    emptyCalls: 10_000,
    emptyLoopCalls: 10_000,
  },
};
