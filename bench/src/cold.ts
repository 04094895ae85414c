// C1: the essay-review flow's first flows in a fresh process (cold JIT
// included), Savepoint's memory saver against LangGraph.js's MemorySaver,
// and the same flows once that process is warm (the fixed cost of a run).
// Each sample is a new child process (cold-worker.ts), the two
// implementations alternating, so neither inherits the other's warm code.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { say } from "./log.js";
import { median } from "./stats.js";

export interface ColdSide {
  /** Median ms of the first `flows` flows (both invokes each), with min and max. */
  ms: number;
  min: number;
  max: number;
  samples: number[];
  /** Median ms of the very first flow, and of importing the library and making the saver. */
  firstMs: number;
  loadMs: number;
  /** Median µs per flow once warm, over `warmSamples`: each process's median round. */
  warmUs?: number;
  warmSamples?: number[];
}

export interface ColdResult {
  flows: number;
  processes: number;
  /** Per process, after the cold window: untimed rounds of `flows` flows, then timed ones. */
  warmRounds?: number;
  timedRounds?: number;
  savepoint: ColdSide;
  langgraph: ColdSide;
}

const WORKER = fileURLToPath(new URL("./cold-worker.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

interface Sample {
  ms: number;
  firstMs: number;
  loadMs: number;
  warmUs?: number;
}

/** How many flows a process times cold, then its warm rounds: untimed, then timed. */
export interface ColdPlan {
  flows: number;
  processes: number;
  warmRounds: number;
  timedRounds: number;
}

function once(impl: "savepoint" | "langgraph", plan: ColdPlan): Promise<Sample> {
  const args = [plan.flows, plan.warmRounds, plan.timedRounds].map(String);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, impl, ...args], {
      cwd: BENCH_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err = (err + chunk).slice(-2000);
    });
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("result "));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(7)) as Sample);
      reject(new Error(`C1 ${impl}: the worker failed (exit ${code}): ${err.trim()}`));
    });
  });
}

function side(samples: Sample[]): ColdSide {
  const ms = samples.map((s) => s.ms);
  const warm = samples.flatMap((s) => (s.warmUs === undefined ? [] : [s.warmUs]));
  return {
    ms: median(ms),
    min: Math.min(...ms),
    max: Math.max(...ms),
    samples: ms,
    firstMs: median(samples.map((s) => s.firstMs)),
    loadMs: median(samples.map((s) => s.loadMs)),
    ...(warm.length ? { warmUs: median(warm), warmSamples: warm } : {}),
  };
}

/** C1: `plan.processes` fresh processes per implementation, alternating. */
export async function measureCold(plan: ColdPlan): Promise<ColdResult> {
  const sp: Sample[] = [];
  const lg: Sample[] = [];
  say(
    `C1: the first ${plan.flows} flows in a fresh process, then ${plan.timedRounds} timed rounds ` +
      `after ${plan.warmRounds} warm-up rounds; ${plan.processes} alternating processes each`,
  );
  for (let i = 0; i < plan.processes; i++) {
    sp.push(await once("savepoint", plan));
    lg.push(await once("langgraph", plan));
  }
  const { flows, processes, warmRounds, timedRounds } = plan;
  return {
    flows,
    processes,
    warmRounds,
    timedRounds,
    savepoint: side(sp),
    langgraph: side(lg),
  };
}
