import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entrypoint, StorageUnavailableError, task } from "@savepoint/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver } from "../src/index.js";
import { cfg, collect } from "./helpers.js";
import { type RedisServerProcess, startRedisServer } from "./server.js";

// A saver opened from a URL, with the saver's default timeouts, on a private
// redis-server (AOF, fsync on every write) that is killed with SIGKILL or
// frozen with SIGSTOP in the middle of a run. The bounds are the README's:
// a refused connection fails after 5 reconnect attempts 0.1 → 0.8 s apart
// (1.5 s); anything else (a frozen server, a dropped network) within
// commandTimeout, 10 s. Only "within the bound plus slack" is asserted.
const REFUSED_BOUND_MS = 1_500;
const COMMAND_TIMEOUT_MS = 10_000;
const SLACK_MS = 2_000;
const PERSIST = ["--appendonly", "yes", "--appendfsync", "always"];

/** Timings for the report: what failed, how long after the server went away, against which bound. */
const timings: { what: string; ms: number; boundMs: number }[] = [];

// `since` is read once the call has failed: the moment the server went away.
async function failureOf(
  what: string,
  boundMs: number,
  since: () => number,
  call: () => Promise<unknown>,
) {
  const error = await call().then(
    (value) => new Error(`${what} succeeded: ${JSON.stringify(value)?.slice(0, 200)}`),
    (err: unknown) => err,
  );
  const ms = Date.now() - since();
  timings.push({ what, ms, boundMs });
  expect(error, what).toBeInstanceOf(StorageUnavailableError);
  expect(ms, `${what}: ${ms} ms`).toBeLessThan(boundMs + SLACK_MS);
  return error as StorageUnavailableError;
}

describe("a saver whose server is killed mid-run", () => {
  let dir: string;
  let server: RedisServerProcess;
  let port: number;
  let saver: RedisSaver;
  const executed: number[] = [];
  let killAt = -1;
  let killedAt = 0;
  const step = task("step", async (i: number) => {
    executed.push(i);
    if (i === killAt) {
      await server.crash();
      killedAt = Date.now();
    }
    return i * 10;
  });
  const workflow = () =>
    entrypoint({ name: "outage", checkpointer: saver }, async (n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await step(i);
      return sum;
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "savepoint-outage-"));
    server = await startRedisServer({ dir, args: PERSIST });
    port = server.port;
    saver = new RedisSaver(server.url, { prefix: "outage" });
  });
  afterAll(async () => {
    await saver?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    console.log(
      `server-kill timings:\n${timings.map((t) => `  ${t.what}: ${t.ms} ms (bound ${t.boundMs} ms)`).join("\n")}`,
    );
  });

  it("fails a sync run with StorageUnavailableError within the bound", async () => {
    killAt = 3;
    // Measured from the kill: the run fails at its next write.
    const error = await failureOf(
      "sync run",
      REFUSED_BOUND_MS,
      () => killedAt,
      () => workflow().invoke(8, { ...cfg("sync"), durability: "sync" }),
    );
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(executed).toEqual([0, 1, 2, 3]);
  });

  it("fails getState and list on the dead server within the bound", async () => {
    const now = () => {
      const at = Date.now();
      return () => at;
    };
    await failureOf("getState", REFUSED_BOUND_MS, now(), () => workflow().getState(cfg("sync")));
    await failureOf("list", REFUSED_BOUND_MS, now(), () => collect(saver.list(cfg("sync"))));
    await failureOf("getTuple", REFUSED_BOUND_MS, now(), () => saver.getTuple(cfg("sync")));
  });

  it("works again on the same saver after a restart, with everything acknowledged kept", async () => {
    server = await startRedisServer({ port, dir, args: PERSIST });
    // The sync run's tasks 0-2 were acknowledged (sync awaits each write).
    const tuple = await saver.getTuple(cfg("sync"));
    const returned = (tuple?.pendingWrites ?? []).filter(([, channel]) => channel === "__return__");
    expect(returned.map(([taskId]) => taskId).slice(0, 3)).toEqual(["0:step", "1:step", "2:step"]);
    executed.length = 0;
    killAt = -1;
    expect(await workflow().invoke(null, cfg("sync"))).toBe(280);
    expect(executed[0]).toBeGreaterThanOrEqual(3);
  });

  it("fails a default-durability run within the bound, then works again after a restart", async () => {
    killAt = 2;
    executed.length = 0;
    await failureOf(
      "default-durability run",
      REFUSED_BOUND_MS,
      () => killedAt,
      () => workflow().invoke(6, cfg("async")),
    );
    server = await startRedisServer({ port, dir, args: PERSIST });
    killAt = -1;
    expect(await workflow().invoke(null, cfg("async"))).toBe(150);
  });

  it("fails a call on a frozen server (SIGSTOP) within commandTimeout, then works once it thaws", async () => {
    expect(await workflow().invoke(2, cfg("frozen"))).toBe(10);
    process.kill(server.pid, "SIGSTOP");
    const frozenAt = Date.now();
    try {
      await failureOf(
        "getTuple on a frozen server",
        COMMAND_TIMEOUT_MS,
        () => frozenAt,
        () => saver.getTuple(cfg("frozen")),
      );
    } finally {
      process.kill(server.pid, "SIGCONT");
    }
    expect((await saver.getTuple(cfg("frozen")))?.checkpoint.channel_values).toBeDefined();
  }, 30_000);

  it("honours a configured commandTimeout", async () => {
    const quick = new RedisSaver(server.url, {
      prefix: "outage",
      redisOptions: { commandTimeout: 1_000 },
    });
    try {
      expect(await quick.getTuple(cfg("frozen"))).toBeDefined();
      process.kill(server.pid, "SIGSTOP");
      const frozenAt = Date.now();
      try {
        await failureOf(
          "getTuple, commandTimeout 1 s",
          1_000,
          () => frozenAt,
          () => quick.getTuple(cfg("frozen")),
        );
      } finally {
        process.kill(server.pid, "SIGCONT");
      }
    } finally {
      await quick.close();
    }
  });
});
