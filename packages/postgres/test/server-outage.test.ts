// A Postgres server that dies during a run (SIGKILL to its postmaster, on a
// private server started here): the run and every read fail with
// StorageUnavailableError within the configured bound, and the same saver
// works again once the server is back.

import { serviceAvailable } from "@savepoint/conformance";
import { entrypoint, StorageUnavailableError, task } from "@savepoint/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSaver } from "../src/index.js";
import { type PrivateServer, postgresBinDir, startPrivateServer } from "./private-server.js";

const bin = postgresBinDir();
const canStart = await serviceAvailable(
  "A private Postgres server",
  "initdb on PATH or in /usr/lib/postgresql/*/bin",
  async () => {
    if (!bin) throw new Error("initdb was not found");
  },
);

const TIMEOUTS = { connectMs: 2_000, queryMs: 4_000 };
// What the bound may be exceeded by: timers, the event loop, a slow machine.
const SLACK_MS = 3_000;
const BOUND_MS = TIMEOUTS.queryMs + SLACK_MS;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How `work` settled and when, or that it had not settled after `ms`. */
async function settle(
  work: Promise<unknown>,
  ms: number,
): Promise<{ error?: unknown; value?: unknown; elapsed: number; settled: boolean }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((r) => {
    timer = setTimeout(() => r("late"), ms);
  });
  const outcome = await Promise.race([
    work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    deadline,
  ]);
  clearTimeout(timer);
  const elapsed = performance.now() - started;
  return outcome === "late" ? { elapsed, settled: false } : { ...outcome, elapsed, settled: true };
}

describe.skipIf(!canStart)("a Postgres server killed during a run", () => {
  let server: PrivateServer;

  beforeAll(async () => {
    server = await startPrivateServer(bin!);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("fails the run and reads with StorageUnavailableError within the bound, then the same saver recovers", async () => {
    const saver = new PostgresSaver(server.url, { schema: "outage", timeouts: TIMEOUTS });
    try {
      await saver.setup();
      // Batches of parallel tasks: in the default durability ("async") their
      // writes are in flight together, and queue behind one another in the
      // pool when the server dies in the middle of the third batch.
      const BATCH = 50;
      const TASKS = 300;
      let killed: Promise<void> | undefined;
      let killedAt = 0;
      const step = task("step", async (i: number) => {
        if (i === 2 * BATCH + 10 && !killed) {
          killed = server.kill().then(() => {
            killedAt = performance.now();
          });
        }
        await sleep(1);
        return i * 2;
      });
      const workflow = entrypoint({ name: "outage", checkpointer: saver }, async (n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i += BATCH) {
          out.push(...(await Promise.all(Array.from({ length: BATCH }, (_, j) => step(i + j)))));
        }
        return out;
      });
      const config = { configurable: { thread_id: "outage-1" } };

      // The default durability ("async"): task writes are in flight when the server dies.
      const run = await settle(workflow.invoke(TASKS, config), 90_000);
      expect(killed).toBeDefined();
      await killed;
      const sinceKill = performance.now() - killedAt;
      console.log(
        `[server-outage] invoke rejected ${Math.round(sinceKill)} ms after the kill ` +
          `(bound: queryMs ${TIMEOUTS.queryMs} ms + ${SLACK_MS} ms slack)`,
      );
      expect(run.settled).toBe(true);
      expect(run.error).toBeInstanceOf(StorageUnavailableError);
      expect((run.error as Error).message).toContain(`127.0.0.1:${server.port}/postgres`);
      expect(sinceKill).toBeLessThan(BOUND_MS);

      // A read while the server is down answers too, with the same error.
      const read = await settle(workflow.getState(config), 90_000);
      console.log(`[server-outage] getState rejected after ${Math.round(read.elapsed)} ms`);
      expect(read.settled).toBe(true);
      expect(read.error).toBeInstanceOf(StorageUnavailableError);
      expect(read.elapsed).toBeLessThan(BOUND_MS);
      const write = await settle(
        saver.setup().then(() => workflow.invoke(1, config)),
        90_000,
      );
      expect(write.error).toBeInstanceOf(StorageUnavailableError);
      expect(write.elapsed).toBeLessThan(BOUND_MS);

      // The server comes back: the same saver works again.
      await server.start();
      const state = await settle(workflow.getState(config), BOUND_MS);
      expect(state.error).toBeUndefined();
      const resumed = await workflow.invoke(null, config);
      expect(resumed).toEqual(Array.from({ length: TASKS }, (_, i) => i * 2));
      const fresh = await workflow.invoke(BATCH, { configurable: { thread_id: "outage-2" } });
      expect(fresh).toHaveLength(BATCH);
    } finally {
      await saver.close();
    }
  }, 240_000);

  it("fails calls on a hung server (connections open, no answer) within queryMs, and goes on once it answers", async () => {
    const saver = new PostgresSaver(server.url, { schema: "hung", timeouts: TIMEOUTS });
    try {
      await saver.setup();
      let paused = false;
      let pausedAt = 0;
      const step = task("step", async (i: number) => {
        if (i === 30 && !paused) {
          paused = true;
          server.pause();
          pausedAt = performance.now();
        }
        await sleep(1);
        return i;
      });
      const workflow = entrypoint({ name: "hung", checkpointer: saver }, async (n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i += 20) {
          out.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => step(i + j)))));
        }
        return out;
      });
      const config = { configurable: { thread_id: "hung-1" } };
      const run = await settle(workflow.invoke(100, config), 90_000);
      const sincePause = performance.now() - pausedAt;
      console.log(
        `[server-outage] hung server: invoke rejected ${Math.round(sincePause)} ms after the pause ` +
          `(bound: queryMs ${TIMEOUTS.queryMs} ms + ${SLACK_MS} ms slack)`,
      );
      expect(run.error).toBeInstanceOf(StorageUnavailableError);
      // A call on an open connection runs out of queryMs; one that needed a
      // new connection gets no startup answer within connectMs.
      expect((run.error as Error).message).toMatch(/timeouts\.queryMs|CONNECT_TIMEOUT/);
      expect(sincePause).toBeLessThan(BOUND_MS);
      const read = await settle(workflow.getState(config), 90_000);
      expect(read.error).toBeInstanceOf(StorageUnavailableError);
      expect(read.elapsed).toBeLessThan(BOUND_MS);

      server.resume();
      expect(await workflow.invoke(null, config)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      server.resume();
      await saver.close();
    }
  }, 240_000);
});
