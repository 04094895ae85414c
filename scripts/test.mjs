// Runs lint, typecheck and every package's tests through turbo, then adds up
// the vitest reports into one closing line, "N passed, N failed, N skipped",
// so a reader (or CI) sees the whole count at once.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const roots = [
  ...["packages", "examples"].flatMap((dir) =>
    existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [],
  ),
  "docs",
];
const reports = roots.map((dir) => join(dir, "test-results", "vitest.json"));
for (const report of reports) rmSync(report, { force: true });

// Import circles fail the run like a lint error (scripts/check-cycles.mjs).
const cycles = spawnSync("node", ["scripts/check-cycles.mjs"], { stdio: "inherit" });

// Two tasks at a time on a 2-core machine: the suites start servers,
// browsers and child processes of their own, and running all of them at
// once only makes each slower (and their process timeouts flaky).
const turbo = spawnSync(
  "turbo",
  ["run", "lint", "typecheck", "test", "--concurrency=2", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    shell: process.platform === "win32",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
for (const report of reports) {
  if (!existsSync(report)) continue;
  const result = JSON.parse(readFileSync(report, "utf8"));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  const where = report.slice(0, report.indexOf("/test-results"));
  perPackage.push(`${where}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}
console.log(`\n${perPackage.join("\n")}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
const code = cycles.status !== 0 ? 1 : (turbo.status ?? 1);
process.exit(code !== 0 ? code : failed > 0 ? 1 : 0);
