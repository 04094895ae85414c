// P1 on its own: 1 to 64 threads running the essay-review flow at once on
// Savepoint's PostgreSQL, PGlite and Redis savers, LangGraph.js's Postgres
// saver and DBOS, rewriting only its section of docs/benchmarks.md (the
// full `pnpm bench` measures it too):
//   pnpm --filter @savepoint/bench bench:throughput [-- --quick | --smoke]
// (`--smoke` rewrites nothing: its figures are never the ones to publish.)
import { rewriteSection } from "./doc-sections.js";
import { PLANS } from "./plan.js";
import { P1_HEADING, renderThroughput } from "./report-throughput.js";
import { measureThroughput } from "./throughput.js";

const mode = process.argv.includes("--smoke")
  ? "smoke"
  : process.argv.includes("--quick")
    ? "quick"
    : "full";
const throughput = await measureThroughput(PLANS[mode].throughput);
const lines = renderThroughput({ throughput });
console.log(lines.join("\n"));
if (mode !== "smoke") {
  rewriteSection(P1_HEADING, lines.join("\n"));
  console.log("updated the P1 section of docs/benchmarks.md");
}
process.exit(0);
