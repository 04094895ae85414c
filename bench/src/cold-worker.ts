// C1 in a process of its own: the essay-review flow's first flows in a
// fresh process, cold JIT included, on Savepoint's or LangGraph.js's memory
// saver; then the same flows once the process is warm. Started by cold.ts:
//   node --import tsx src/cold-worker.ts savepoint 200 10 10
// The library is imported here, timed apart (`loadMs`), so the flows'
// figure holds the first calls' costs and not the module loading. The warm
// figure (`warmUs`) is the median per-flow time of `timed` rounds of the
// same number of flows, each on a fresh saver and entrypoint (so no round
// pays for the threads an earlier one left), after `warm` untimed rounds.
// Prints one `result <json>` line.

import type { FunctionalApi } from "./essay.js";
import { essayReview } from "./essay.js";
import { median } from "./stats.js";

const [impl, flowsArg, warmArg = "0", timedArg = "0"] = process.argv.slice(2);
const [flows, warmRounds, timedRounds] = [flowsArg, warmArg, timedArg].map(Number) as [
  number,
  number,
  number,
];
const counts = [flows, warmRounds, timedRounds];
if (
  (impl !== "savepoint" && impl !== "langgraph") ||
  !counts.every((n) => Number.isInteger(n) && n >= 0) ||
  flows === 0
) {
  console.error("usage: cold-worker.ts savepoint|langgraph <flows> [warm rounds] [timed rounds]");
  process.exit(2);
}

const t0 = performance.now();
let api: FunctionalApi;
let newSaver: () => unknown;
if (impl === "savepoint") {
  const [core, memory] = await Promise.all([
    import("@savepoint/core"),
    import("@savepoint/memory"),
  ]);
  api = core as unknown as FunctionalApi;
  newSaver = () => new memory.MemorySaver();
} else {
  const lg = await import("@langchain/langgraph");
  api = lg as unknown as FunctionalApi;
  newSaver = () => new lg.MemorySaver();
}
let checkpointer = newSaver();
const loadMs = performance.now() - t0;

let round = 0;
/** One round: `flows` flows on `checkpointer`; `onFirst` gets the ms of the first one. */
async function runFlows(onFirst?: (ms: number) => void): Promise<number> {
  const start = performance.now();
  const essay = essayReview(api, checkpointer);
  for (let i = 0; i < flows; i++) {
    const config = { configurable: { thread_id: `cold-${round}-${i}` } };
    await essay.invoke("cat", config);
    const done = (await essay.invoke(new api.Command({ resume: true }), config)) as {
      isApproved?: boolean;
    };
    if (done.isApproved !== true) throw new Error(`C1 ${impl}: the flow did not finish`);
    if (i === 0) onFirst?.(performance.now() - start);
  }
  round++;
  return performance.now() - start;
}

let firstMs = 0;
const ms = await runFlows((first) => {
  firstMs = first;
});
const warm: number[] = [];
for (let r = 0; r < warmRounds + timedRounds; r++) {
  checkpointer = newSaver();
  const roundMs = await runFlows();
  if (r >= warmRounds) warm.push((roundMs * 1000) / flows);
}
const warmUs = warm.length ? median(warm) : undefined;
process.stdout.write(`result ${JSON.stringify({ impl, flows, loadMs, firstMs, ms, warmUs })}\n`);
process.exit(0);
