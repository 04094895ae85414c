// C1 in a process of its own: the essay-review flow's first flows in a
// fresh process, cold JIT included, on Savepoint's or LangGraph.js's memory
// saver. Started by cold.ts:
//   node --import tsx src/cold-worker.ts savepoint 200
// The library is imported here, timed apart (`loadMs`), so the flows'
// figure holds the first calls' costs and not the module loading.
// Prints one `result <json>` line.

import type { FunctionalApi } from "./essay.js";
import { essayReview } from "./essay.js";

const [impl, flowsArg] = process.argv.slice(2);
const flows = Number(flowsArg);
if ((impl !== "savepoint" && impl !== "langgraph") || !Number.isInteger(flows) || flows <= 0) {
  console.error("usage: cold-worker.ts savepoint|langgraph <flows>");
  process.exit(2);
}

const t0 = performance.now();
let api: FunctionalApi;
let checkpointer: unknown;
if (impl === "savepoint") {
  const [core, memory] = await Promise.all([
    import("@savepoint/core"),
    import("@savepoint/memory"),
  ]);
  api = core as unknown as FunctionalApi;
  checkpointer = new memory.MemorySaver();
} else {
  const lg = await import("@langchain/langgraph");
  api = lg as unknown as FunctionalApi;
  checkpointer = new lg.MemorySaver();
}
const loadMs = performance.now() - t0;

const t1 = performance.now();
const essay = essayReview(api, checkpointer);
let firstMs = 0;
for (let i = 0; i < flows; i++) {
  const config = { configurable: { thread_id: `cold-${i}` } };
  await essay.invoke("cat", config);
  const done = (await essay.invoke(new api.Command({ resume: true }), config)) as {
    isApproved?: boolean;
  };
  if (done.isApproved !== true) throw new Error(`C1 ${impl}: the flow did not finish`);
  if (i === 0) firstMs = performance.now() - t1;
}
const ms = performance.now() - t1;
process.stdout.write(`result ${JSON.stringify({ impl, flows, loadMs, firstMs, ms })}\n`);
process.exit(0);
