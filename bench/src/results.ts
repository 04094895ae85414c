// The shape of bench/results/latest.json: everything report.ts and svg.ts draw from.
import type { ColdResult } from "./cold.js";
import type { QueryCount } from "./queries.js";
import type { RetentionStorageResult, SweepStudyResult } from "./retention-results.js";
import type { RssResult } from "./rss.js";
import type { StorageResult } from "./storage.js";
import type { ListingResult, RecordCostResult } from "./threads.js";
import type { ThroughputResult } from "./throughput-results.js";

export type BackendId = "memory" | "pglite" | "postgres" | "redis";

export const BACKEND_LABELS: Record<BackendId, string> = {
  memory: "memory",
  pglite: "PGlite",
  postgres: "PostgreSQL",
  redis: "Redis",
};

export type WorkloadId =
  | "W1"
  | "W2"
  | "W3"
  | "W4"
  | "W5"
  | "S1"
  | "T1"
  | "T2"
  | "R1"
  | "R2"
  | "P1"
  | "C1";
/** "sp:sync" and "sp:default" are Savepoint in the two durability modes. */
export type ImplId = "sp:sync" | "sp:default" | "langgraph" | "dbos";

export const IMPL_LABELS: Record<ImplId, string> = {
  "sp:sync": "Savepoint sync",
  "sp:default": "Savepoint default",
  langgraph: "LangGraph.js",
  dbos: "DBOS",
};

export interface Cell {
  /** Median µs per unit; absent when not run. */
  us?: number;
  runs?: number;
  samples?: number[];
  /** Why there is no figure, or how it differs from the row (fewer threads, one run). */
  note?: string;
}

export interface Row {
  backend: BackendId;
  workload: WorkloadId;
  /** "N = 1,000", "1,000 threads". */
  param: string;
  /** N for W2 rows. */
  n?: number;
  /** What one µs figure is per: "thread", "task", "resume", "read". */
  unit: string;
  cells: Partial<Record<ImplId, Cell>>;
  /** The physical anchor this row's per-task figure is compared with. */
  anchor?: { name: string; us: number };
}

export interface Anchors {
  emptyCall?: number;
  postgresInsert?: number;
  postgresSelect?: number;
  pgliteInsert?: number;
  pgliteSelect?: number;
  redisSet?: number;
}

export interface Target {
  backend: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface Results {
  date: string;
  command: string;
  quick: boolean;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    os: string;
    load: number[];
  };
  runs: number;
  anchors: Anchors;
  rows: Row[];
  rss: RssResult[];
  queries: QueryCount[];
  /** S1: bytes stored for one long chat thread, per saver. */
  storage?: StorageResult[];
  /** T1: the first page of interrupted threads, by table size, per saver. */
  listing?: ListingResult[];
  /** T2: the run with thread records and without, per saver. */
  recordCost?: RecordCostResult[];
  /** R1: bytes one growing thread stores, pruned and not, per saver. */
  retentionStorage?: RetentionStorageResult[];
  /** R2: a sweep of expired threads on PostgreSQL beside live flows. */
  sweep?: SweepStudyResult;
  /** P1: flows per second with 1 to 64 threads at once, per contender. */
  throughput?: ThroughputResult[];
  /** C1: the first flows of a fresh process, Savepoint and LangGraph.js on memory. */
  cold?: ColdResult;
  skipped: { backend: string; reason: string }[];
  /** Cases that threw: the run went on without them. */
  failures: string[];
  targets: Target[];
  durationS: number;
}
