import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver } from "../src/index.js";
import { runTrials } from "./crash/trial.js";
import { deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";

// The crash trials of test/crash/trial.ts, a dozen per test run (8 in sync
// durability, 4 in the default async). `scripts/crash-trials.ts <count>`
// runs hundreds.
const TRIALS = 12;
const CONCURRENCY = 4;

describe.skipIf(!redisUp)(
  "crash: a 20-task run SIGKILLed at a random point, continued in a new process",
  () => {
    const prefix = randomPrefix("crash");
    let dir: string;
    let client: Redis;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "savepoint-crash-"));
      client = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      await deletePrefix(client, prefix);
      client.disconnect();
      await rm(dir, { recursive: true, force: true });
    });

    it(`keeps every persisted result, re-runs at most the task in flight (sync), and ends with an uninterrupted run's output: ${TRIALS} trials`, async () => {
      const reader = new RedisSaver(client, { prefix });
      const reports = await runTrials(TRIALS, CONCURRENCY, (i) => ({
        url: REDIS_URL,
        prefix,
        durability: i % 3 === 2 ? "async" : "sync",
        dir,
        reader,
      }));
      const failed = reports.filter((r) => r.failures.length > 0);
      expect(failed.map((r) => ({ thread: r.threadId, failures: r.failures }))).toEqual([]);
      for (const r of reports.filter((r) => r.durability === "sync")) {
        expect(r.reruns.length).toBeLessThanOrEqual(1);
      }
      expect(reports.filter((r) => r.killed).length).toBeGreaterThan(0);
    }, 60_000);
  },
);
