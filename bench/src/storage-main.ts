// S1 on its own: measures the storage of a long chat thread on every saver
// and rewrites only that section of docs/benchmarks.md, so the figures can be
// refreshed without the full run:
//   pnpm --filter @savepoint/bench bench:storage [-- --turns 1000]
import { rewriteSection } from "./doc-sections.js";
import { renderStorage } from "./report.js";
import { measureStorage } from "./storage.js";

const arg = process.argv.indexOf("--turns");
const turns = arg > 0 ? Number(process.argv[arg + 1]) : 1_000;
const results = await measureStorage(turns);
for (const r of results) {
  console.log(
    `${r.saver}: ${r.bytes} bytes stored${r.fullCopyBytes ? `, ${r.fullCopyBytes} as full copies` : ""}; ` +
      `turn ${r.firstTenthMs.toFixed(2)} → ${r.lastTenthMs.toFixed(2)} ms, puts ${r.putFirstTenthMs.toFixed(2)} → ${r.putLastTenthMs.toFixed(2)} ms (first → last tenth); read ${r.readMs.toFixed(2)} ms`,
  );
}
rewriteSection("## S1: storage", renderStorage(results));
console.log("updated the S1 section of docs/benchmarks.md");
