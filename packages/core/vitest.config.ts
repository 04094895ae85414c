import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@savepoint/source"] },
  ssr: { resolve: { conditions: ["@savepoint/source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
