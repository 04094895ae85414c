// `pnpm bench`: Savepoint against LangGraph.js (and DBOS on Postgres) and
// against the hardware, in one run. Prints a table as it goes, writes
// bench/results/latest.json, docs/benchmarks.md and docs/benchmarks.svg.
//
//   pnpm bench                       the full run (about 30 minutes on 2 cores; R1 and R2 are half of it)
//   pnpm bench -- --quick            small N and 3 runs: a smoke check
//   pnpm bench -- --smoke --only memory,postgres --out /tmp/smoke.json
//                                    one run of tiny cases: the plumbing only, no docs
//   pnpm bench -- --only memory,pglite --workloads W1,W2
//
// What runs is the table in suite.ts, on the backends in backends/.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { BACKENDS } from "./backends/index.js";
import { ResultsBuilder } from "./collect.js";
import { parseOptions } from "./options.js";
import { renderMarkdown, renderTable } from "./report.js";
import { benchBackend } from "./run.js";
import { progressDone } from "./stats.js";
import { STUDIES, studiesFor, WORKLOADS } from "./suite.js";
import { renderSvg } from "./svg.js";

// LangGraph.js adds an abort listener per parallel task (W3, past 10 of
// them) and DBOS's pg pool warns about pg@9: neither is ours to fix, and a
// warning per run would bury the progress lines. Other warnings still print.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "MaxListenersExceededWarning" || warning.name === "DeprecationWarning")
    return;
  console.error(warning);
});

const options = parseOptions(process.argv.slice(2), [
  ...WORKLOADS.map((w) => w.id),
  ...STUDIES.map((s) => s.workload).filter((id) => !WORKLOADS.some((w) => w.id === id)),
]);
const { plan, only, args } = options;
const workloads = WORKLOADS.filter((w) => options.workloads.includes(w.id));
const out = new ResultsBuilder({
  command: `pnpm bench${args.length ? ` -- ${args.join(" ")}` : ""}`,
  quick: options.mode !== "full",
  runs: plan.runs,
});

console.error(
  `[bench] Savepoint benchmarks${options.mode === "full" ? "" : ` (${options.mode})`}: ` +
    `${only.join(", ")}; ${workloads.map((w) => w.id).join(", ")}; ` +
    `median of ${plan.runs} runs after a warm-up; ${os.cpus().length} cores, node ${process.version}` +
    `${(globalThis as { gc?: unknown }).gc ? "" : " (no --expose-gc: GC is not run between runs)"}`,
);

for (const id of only)
  await benchBackend(BACKENDS.find((b) => b.id === id)!, workloads, plan, out, options.workloads);
for (const study of studiesFor("end", only, options.workloads)) await study.run(plan, out);
progressDone();

const results = out.build();
console.log(`\n${renderTable(results)}`);

const file = options.out ?? fileURLToPath(new URL("../results/latest.json", import.meta.url));
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${options.out ?? "bench/results/latest.json"}`);
if (options.writeDocs) {
  const docs = fileURLToPath(new URL("../../docs/", import.meta.url));
  writeFileSync(`${docs}benchmarks.svg`, renderSvg(results));
  writeFileSync(`${docs}benchmarks.md`, renderMarkdown(results));
  console.log("wrote docs/benchmarks.md and docs/benchmarks.svg");
}
process.exit(0);
