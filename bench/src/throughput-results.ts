// P1's result shapes, apart from the study, so results.ts can name them
// without importing the contenders (and through them the backends).
import type { WaitShares } from "./pg-load.js";

/** Who runs a P1 side. */
export type ThroughputImpl = "savepoint" | "langgraph" | "dbos";
/** What a P1 side stores in. */
export type ThroughputStore = "PostgreSQL" | "PGlite" | "Redis";

/** What P1 runs, by mode. */
export interface ThroughputPlan {
  threads: readonly number[];
  flowsPerRound: number;
  rounds: number;
}

/** One contender at one thread count. */
export interface ThroughputResult {
  label: string;
  impl: ThroughputImpl;
  store: ThroughputStore;
  threads: number;
  flowsPerRound: number;
  /** Median flows per second over the rounds, with the slowest and fastest round. */
  flowsPerS: number;
  min: number;
  max: number;
  samples: number[];
  /** Medians over the rounds, per flow: Node's CPU, the Postgres processes' CPU, WAL written. */
  nodeCpuMs: number;
  pgCpuMs?: number;
  walBytes?: number;
  /** What the busy Postgres backends waited on, over all rounds. */
  waits?: WaitShares;
  /** The CPUs of the machine that ran it (`os.availableParallelism()`), for the CPU ceiling. */
  cores?: number;
}
