// C1 on its own: the essay-review flow's first flows in fresh processes,
// then the same flows once warm, Savepoint's memory saver against
// LangGraph.js's, rewriting only its
// section of docs/benchmarks.md (the full `pnpm bench` measures it too):
//   pnpm --filter @savepoint/bench bench:cold [-- --quick | --smoke]
import { measureCold } from "./cold.js";
import { rewriteSection } from "./doc-sections.js";
import { PLANS } from "./plan.js";
import { C1_HEADING, renderCold } from "./report-throughput.js";

const mode = process.argv.includes("--smoke")
  ? "smoke"
  : process.argv.includes("--quick")
    ? "quick"
    : "full";
const lines = renderCold({ cold: await measureCold(PLANS[mode].cold) });
console.log(lines.join("\n"));
if (mode !== "smoke") {
  rewriteSection(C1_HEADING, lines.join("\n"));
  console.log("updated the C1 section of docs/benchmarks.md");
}
process.exit(0);
