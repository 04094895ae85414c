// The child process of `npm run demo -- --inbox` that leaves a stalled run
// behind: it starts a review whose essay takes a minute, says RUNNING once
// the run holds the thread, and is then killed by its parent (SIGKILL). The
// thread stays "running" until its lease runs out, then lists as "stalled".
import { PostgresSaver } from "@savepoint/postgres";
import { essayReview } from "./workflow.js";

const [dataDir, threadId, leaseMs] = process.argv.slice(2);
const saver = new PostgresSaver(dataDir!);
const workflow = essayReview(saver, { leaseMs: Number(leaseMs) });
void workflow.invoke("owls", { configurable: { thread_id: threadId! } }).catch(() => {});
for (;;) {
  if ((await workflow.thread(threadId!))?.status === "running") break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log("RUNNING");
