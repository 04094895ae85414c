// Many crash trials (see test/crash/trials.ts), for a figure the test run
// is too short to give:
//
//   node --import tsx --conditions=@savepoint/source scripts/crash-trials.ts [trials] \
//     [--backend pglite|postgres|both] [--concurrency 2] [--durability sync]
//
// The server is DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test);
// the trials use a schema of their own, dropped at the end. Exits 1 when any
// trial failed.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { type CrashBackend, runCrashTrials } from "../test/crash/trials.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: "string", default: "both" },
    concurrency: { type: "string", default: "2" },
    durability: { type: "string", default: "sync" },
  },
});
const trials = Number(positionals[0] ?? 200);
const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const schema = `sp_crash_${randomBytes(6).toString("hex")}`;
const backends: [string, CrashBackend][] = [];
if (values.backend !== "postgres") backends.push(["pglite", { kind: "pglite" }]);
if (values.backend !== "pglite") backends.push(["postgres", { kind: "postgres", url, schema }]);

const work = mkdtempSync(join(tmpdir(), "savepoint-crash-trials-"));
let failed = 0;
try {
  for (const [label, backend] of backends) {
    let done = 0;
    const summary = await runCrashTrials({
      backend,
      trials,
      concurrency: Number(values.concurrency),
      durability: values.durability,
      workDir: join(work, label),
      onTrial: (n, result) => {
        done++;
        if (result.failures.length > 0 || done % 25 === 0)
          console.error(
            `${label}: ${done}/${trials} (trial ${n}: ${result.kind}, re-runs ${result.reruns})`,
          );
      },
    });
    failed += summary.failures.length;
    console.log(
      JSON.stringify(
        { backend: label, durability: values.durability, ...summary, ms: Math.round(summary.ms) },
        null,
        2,
      ),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (backends.some(([, b]) => b.kind === "postgres")) {
    const sql = postgres(url, { onnotice: () => {} });
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  }
}
process.exit(failed > 0 ? 1 : 0);
