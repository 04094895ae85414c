// Runs rss-worker.ts in a child process per case, with a time cap.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface RssResult {
  impl: "savepoint" | "langgraph";
  n: number;
  /** Milliseconds of the run, when it finished. */
  ms?: number;
  /** Peak RSS minus the baseline before the workload, in bytes (at the cap, the peak so far). */
  growth?: number;
  finished: boolean;
  note?: string;
}

const WORKER = fileURLToPath(new URL("./rss-worker.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

export function measureRss(
  impl: "savepoint" | "langgraph",
  n: number,
  capMs: number,
): Promise<RssResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", WORKER, impl, String(n)],
      { cwd: BENCH_DIR, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    let growth: number | undefined;
    let result: RssResult | undefined;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      let nl = out.indexOf("\n");
      while (nl >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith("rss ")) growth = Math.max(growth ?? 0, Number(line.slice(4)));
        if (line.startsWith("result ")) {
          const r = JSON.parse(line.slice(7));
          result = { impl, n, ms: r.ms, growth: r.growth, finished: true };
        }
        nl = out.indexOf("\n");
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      err = (err + chunk).slice(-2000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), capMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result) return resolve(result);
      if (signal === "SIGKILL") {
        return resolve({
          impl,
          n,
          growth,
          finished: false,
          note: `did not finish in ${Math.round(capMs / 1000)} s`,
        });
      }
      resolve({ impl, n, finished: false, note: `worker failed (exit ${code}): ${err.trim()}` });
    });
  });
}
