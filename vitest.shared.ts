// One vitest configuration for every package: tests import workspace packages
// from their `src/` (the "@savepoint/source" export condition), so they run
// without a build, and each run leaves a JSON report that scripts/test.mjs
// adds up into one "N passed, N failed" line.
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@savepoint/source"] },
  ssr: { resolve: { conditions: ["@savepoint/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
