// The shapes of R1's and R2's results, apart from the studies that measure
// them, so results.ts can name them without importing the studies (and
// everything they import).

/** One side's figures: a saver, pruned or not (or LangGraph.js's saver in one durability). */
export interface RetentionStorageResult {
  /** "Savepoint PostgreSQL", "LangGraph.js PostgresSaver". */
  saver: string;
  /** "no pruning", 'keep: "latest" after each resume', "default durability", 'durability: "exit"'. */
  variant: string;
  /** Whether the side prunes (a Savepoint saver with prune after each resume). */
  pruned: boolean;
  resumes: number;
  /** Bytes stored after a tenth of the resumes, and after all of them. */
  bytesAtTenth: number;
  bytes: number;
  /** Checkpoints the thread holds at the end. */
  checkpoints: number;
  /** Milliseconds of one prune call over the thread's calls (median, min, max), when it prunes. */
  prune?: { medianMs: number; minMs: number; maxMs: number };
}

/** A figure over the runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** R2's figures. */
export interface SweepStudyResult {
  backend: string;
  /** Expired threads each run's sweep removed. */
  threads: number;
  runs: number;
  /** Live flows kept running at once. */
  concurrency: number;
  /** Seconds to write the expired threads (not counted in the sweep). */
  setupS: Spread;
  /** Seconds from the first sweep call to the one that returned `more: false`. */
  sweepS: Spread;
  threadsPerS: Spread;
  /** Sweep calls per run; one call's milliseconds: median and min of the runs' medians, the largest call of any run. */
  calls: number;
  callMs: Spread;
  /** Live flows finished per second in each run, without and during the sweep. */
  flowsPerS: { baseline: Spread; during: Spread };
  /** Each run's p50 and p99 flow latency in milliseconds. */
  p50: { baseline: Spread; during: Spread };
  p99: { baseline: Spread; during: Spread };
  /** Live flows that failed, over every run (must be 0). */
  failedFlows: number;
}
