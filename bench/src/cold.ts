// C1: the essay-review flow's first flows in a fresh process (cold JIT
// included), Savepoint's memory saver against LangGraph.js's MemorySaver.
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
}

export interface ColdResult {
  flows: number;
  processes: number;
  savepoint: ColdSide;
  langgraph: ColdSide;
}

const WORKER = fileURLToPath(new URL("./cold-worker.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

interface Sample {
  ms: number;
  firstMs: number;
  loadMs: number;
}

function once(impl: "savepoint" | "langgraph", flows: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, impl, String(flows)], {
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
  return {
    ms: median(ms),
    min: Math.min(...ms),
    max: Math.max(...ms),
    samples: ms,
    firstMs: median(samples.map((s) => s.firstMs)),
    loadMs: median(samples.map((s) => s.loadMs)),
  };
}

/** C1: `processes` fresh processes per implementation, alternating. */
export async function measureCold(flows: number, processes: number): Promise<ColdResult> {
  const sp: Sample[] = [];
  const lg: Sample[] = [];
  say(`C1: the first ${flows} flows in a fresh process, ${processes} alternating processes each`);
  for (let i = 0; i < processes; i++) {
    sp.push(await once("savepoint", flows));
    lg.push(await once("langgraph", flows));
  }
  return { flows, processes, savepoint: side(sp), langgraph: side(lg) };
}
