// T1 and T2 on their own: thread listings at scale and the cost of thread
// records, on PGlite, PostgreSQL and Redis, rewriting only those sections of
// docs/benchmarks.md (the full `pnpm bench` measures them too):
//   pnpm --filter @savepoint/bench bench:threads [-- --quick] [-- --records-only]
// (`--records-only`: T2 alone, rewriting only its section.)
import { BACKENDS } from "./backends/index.js";
import { rewriteSection } from "./doc-sections.js";
import { say } from "./log.js";
import { PLANS } from "./plan.js";
import { renderThreads } from "./report-threads.js";
import { BACKEND_LABELS, type Results } from "./results.js";
import { measureListing, measureRecordCost } from "./threads.js";

const plan = PLANS[process.argv.includes("--quick") ? "quick" : "full"];
const recordsOnly = process.argv.includes("--records-only");
const listing: NonNullable<Results["listing"]> = [];
const recordCost: NonNullable<Results["recordCost"]> = [];
for (const backend of BACKENDS.filter((b) => b.id !== "memory")) {
  const label = BACKEND_LABELS[backend.id];
  let open: Awaited<ReturnType<typeof backend.open>>;
  try {
    open = await backend.open();
  } catch (error) {
    say(`!!! SKIPPED ${label}: ${error instanceof Error ? error.message : error}`);
    continue;
  }
  try {
    recordCost.push(
      await measureRecordCost(label, open.saver(), plan.recordFlows, Math.max(plan.runs, 5)),
    );
    const parallel = backend.id === "pglite" ? 1 : 8;
    if (!recordsOnly)
      listing.push(
        ...(await measureListing(label, open.storeOfItsOwn, plan.listingSizes, 40, parallel)),
      );
  } finally {
    await open.close();
  }
}
const lines = renderThreads({ listing, recordCost } as Results);
console.log(lines.join("\n"));
const t2 = lines.indexOf("## T2: what keeping thread records costs");
if (!recordsOnly) rewriteSection("## T1: the first page", lines.slice(0, t2).join("\n"));
rewriteSection("## T2: what keeping", lines.slice(t2).join("\n"));
console.log(
  `updated the ${recordsOnly ? "T2 section" : "T1 and T2 sections"} of docs/benchmarks.md`,
);
process.exit(0);
