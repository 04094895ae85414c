// S1 on its own: measures the storage of a long chat thread on every saver
// and rewrites only that section of docs/benchmarks.md, so the figures can be
// refreshed without the full run:
//   pnpm --filter @savepoint/bench bench:storage [-- --turns 1000]
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderStorage } from "./report.js";
import { measureStorage } from "./storage.js";

const arg = process.argv.indexOf("--turns");
const turns = arg > 0 ? Number(process.argv[arg + 1]) : 1_000;
const results = await measureStorage(turns);
for (const r of results) {
  console.log(
    `${r.saver}: ${r.bytes} bytes stored${r.fullCopyBytes ? `, ${r.fullCopyBytes} as full copies` : ""}; ` +
      `turn ${r.firstTenthMs.toFixed(2)} ms first tenth, ${r.lastTenthMs.toFixed(2)} ms last tenth`,
  );
}
const file = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
const page = readFileSync(file, "utf8");
const section = renderStorage(results);
const start = page.indexOf("## S1: storage");
const next = start < 0 ? -1 : page.indexOf("\n## ", start + 1);
const updated =
  start >= 0
    ? `${page.slice(0, start)}${section}\n${next >= 0 ? page.slice(next) : ""}`
    : page.replace("## Targets", `${section}\n\n## Targets`);
writeFileSync(file, updated);
console.log("updated the S1 section of docs/benchmarks.md");
