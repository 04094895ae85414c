// Crash trials (see crash/trials.ts): a 20-task workflow SIGKILLed at a
// random point and continued in a new process, on a PGlite data directory
// and on the server. For hundreds of trials: scripts/crash-trials.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CrashBackend, type CrashSummary, runCrashTrials } from "./crash/trials.js";
import { client, DATABASE_URL, postgresUp, randomName } from "./fixtures.js";

const TRIALS = Number(process.env.CRASH_TRIALS ?? 10);
const work = mkdtempSync(join(tmpdir(), "savepoint-crash-"));
const schema = randomName("sp_crash");

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (postgresUp) {
    const sql = client();
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  }
});

function check(label: string, summary: CrashSummary): void {
  console.log(
    `[crash] ${label}: ${summary.trials} trials in ${Math.round(summary.ms / 1000)} s; killed ` +
      `before ${summary.kinds.before}, mid ${summary.kinds.mid}, after ${summary.kinds.after}; ` +
      `re-runs ${summary.reruns} (max ${summary.maxRerunsPerTrial} per trial); ` +
      `failures ${summary.failures.length}`,
  );
  expect(summary.failures).toEqual([]);
  expect(summary.kinds.before + summary.kinds.mid + summary.kinds.after).toBe(TRIALS);
  expect(summary.maxRerunsPerTrial).toBeLessThanOrEqual(1);
}

async function trials(label: string, backend: CrashBackend): Promise<void> {
  const summary = await runCrashTrials({
    backend,
    trials: TRIALS,
    concurrency: 2,
    workDir: join(work, label),
  });
  check(label, summary);
}

describe("a run killed at a random point goes on in a new process", () => {
  it("on a PGlite data directory, in sync durability", async () => {
    await trials("pglite", { kind: "pglite" });
  }, 180_000);
});

describe.skipIf(!postgresUp)(
  "a run killed at a random point goes on in a new process (server)",
  () => {
    it("on the Postgres server, in sync durability", async () => {
      await trials("postgres", { kind: "postgres", url: DATABASE_URL, schema });
    }, 180_000);
  },
);
