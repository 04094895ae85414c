// Regenerates docs/benchmarks.md and docs/benchmarks.svg from
// bench/results/latest.json without measuring again (after a change to the
// report's wording or the chart):
//   node --import tsx src/render-docs.ts
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderMarkdown, targetsOf } from "./report.js";
import type { Results } from "./results.js";
import { renderSvg } from "./svg.js";

const results = JSON.parse(
  readFileSync(fileURLToPath(new URL("../results/latest.json", import.meta.url)), "utf8"),
) as Results;
results.failures ??= [];
results.targets = targetsOf(results);
const docs = fileURLToPath(new URL("../../docs/", import.meta.url));
writeFileSync(`${docs}benchmarks.svg`, renderSvg(results));
writeFileSync(`${docs}benchmarks.md`, renderMarkdown(results));
console.log("wrote docs/benchmarks.md and docs/benchmarks.svg");
