// R1 and R2 on their own: one growing thread's storage with pruning and
// without on every saver, and a sweep of expired threads on PostgreSQL
// beside live flows, rewriting only those sections of docs/benchmarks.md
// (the full `pnpm bench` measures them too):
//   pnpm --filter @savepoint/bench bench:retention [-- --quick]
import { rewriteSection } from "./doc-sections.js";
import { describe, say } from "./log.js";
import { PLANS } from "./plan.js";
import { R1_HEADING, R2_HEADING, renderRetentionStorage, renderSweep } from "./report-retention.js";
import { BACKEND_LABELS, type BackendId } from "./results.js";
import type { RetentionStorageResult } from "./retention-results.js";
import { measureRetentionStorage } from "./retention-storage.js";
import { measureSweep } from "./retention-sweep.js";

const quick = process.argv.includes("--quick");
const plan = PLANS[quick ? "quick" : "full"];
const source = {
  command: `pnpm --filter @savepoint/bench bench:retention${quick ? " -- --quick" : ""}`,
  date: new Date().toISOString(),
};

// A section is rewritten only when everything in it was measured: a store
// that did not answer leaves the page as it was, rather than a table short
// of its rows.
const updated: string[] = [];
const storage: RetentionStorageResult[] = [];
let complete = true;
for (const backend of ["memory", "pglite", "postgres", "redis"] as BackendId[]) {
  try {
    storage.push(...(await measureRetentionStorage(backend, plan.retentionResumes)));
  } catch (error) {
    complete = false;
    say(`!!! R1 ${BACKEND_LABELS[backend]} left out: ${describe(error)}`);
  }
}
if (storage.length) {
  const section = renderRetentionStorage(storage, source);
  console.log(section);
  if (complete) {
    rewriteSection(R1_HEADING, section);
    updated.push("R1");
  }
}

try {
  const sweep = await measureSweep(plan.sweepThreads, Math.max(plan.runs, 5));
  const section = renderSweep(sweep, source);
  console.log(`\n${section}`);
  rewriteSection(R2_HEADING, section);
  updated.push("R2");
} catch (error) {
  say(`!!! R2 PostgreSQL left out: ${describe(error)}`);
}
console.log(
  updated.length
    ? `updated the ${updated.join(" and ")} section${updated.length > 1 ? "s" : ""} of docs/benchmarks.md`
    : "docs/benchmarks.md left as it was",
);
process.exit(updated.length === 2 ? 0 : 1);
