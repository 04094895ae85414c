// One W2 run (N sequential tasks on a memory saver) in a process of its own,
// so its peak RSS is not mixed with another case's heap. Started by rss.ts:
//   node --expose-gc --import tsx src/rss-worker.ts savepoint 10000
// Prints `rss <bytes>` lines while it runs (so a run that is stopped at the
// time cap still reports how far memory grew) and one `result <json>` line.
import { MemorySaver as LgMemorySaver } from "@langchain/langgraph";
import { MemorySaver } from "@savepoint/memory";
import { langGraphFlows } from "./langgraph.js";
import { savepointFlows } from "./workloads.js";

const [impl, nArg] = process.argv.slice(2);
const n = Number(nArg);
if ((impl !== "savepoint" && impl !== "langgraph") || !Number.isInteger(n) || n <= 0) {
  console.error("usage: rss-worker.ts savepoint|langgraph <tasks>");
  process.exit(2);
}

const flows =
  impl === "savepoint" ? savepointFlows(new MemorySaver()) : langGraphFlows(new LgMemorySaver());
// Warm up the code paths (JIT, lazy imports) on a small run first, so the
// baseline already holds the code and only the workload's data is measured.
await flows.sequential(100);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
await new Promise((r) => setTimeout(r, 50));
gc?.();
const baseline = process.memoryUsage().rss;
// maxRSS is a lifetime high-water mark: loading the code may already have
// set it above the baseline, so it only counts if the workload raised it.
const maxRssBefore = process.resourceUsage().maxRSS;
let peak = baseline;
const sample = setInterval(() => {
  const rss = process.memoryUsage().rss;
  if (rss > peak) peak = rss;
}, 5);
const report = setInterval(() => process.stdout.write(`rss ${peak - baseline}\n`), 1000);
const t0 = performance.now();
await flows.sequential(n);
const ms = performance.now() - t0;
clearInterval(sample);
clearInterval(report);
// maxRSS (KiB) is the kernel's high-water mark: it catches a peak the
// interval sampler missed while the run never yielded to timers.
const maxRssAfter = process.resourceUsage().maxRSS;
const maxRss = maxRssAfter > maxRssBefore ? maxRssAfter * 1024 : 0;
peak = Math.max(peak, maxRss, process.memoryUsage().rss);
process.stdout.write(
  `result ${JSON.stringify({ impl, n, ms, baseline, peak, growth: peak - baseline })}\n`,
);
process.exit(0);
