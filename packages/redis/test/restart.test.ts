import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageUnavailableError } from "@savepoint/core";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadKeys } from "../src/index.js";
import { cfg, collect, makeCheckpoint, makeMetadata, newVersionsOf } from "./helpers.js";
import { type RedisServerProcess, startRedisServer } from "./server.js";

// A private redis-server that persists every write before answering
// (appendfsync always), killed with SIGKILL in the middle of a stream of
// puts and putWrites, then restarted on the same dir and port.
const PERSIST = ["--appendonly", "yes", "--appendfsync", "always"];
const PREFIX = "restart";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every checkpoint visible is complete: in both indexes, with its checkpoint
// and metadata records and the channel values its record lists; every write
// is in both the write hash and its index.
async function checkIntegrity(client: Redis, threadId: string): Promise<number> {
  const keys = threadKeys(PREFIX, threadId);
  const [byNs, byId, cps, mds, writes, writeIndex] = await Promise.all([
    client.zrange(keys.byNamespace, 0, -1),
    client.zrange(keys.byId, 0, -1),
    client.hkeys(keys.checkpoints),
    client.hkeys(keys.metadata),
    client.hkeys(keys.writes),
    client.zrange(keys.writeIndex, 0, -1),
  ]);
  const mirrored = byId.map((m) => {
    const [cid, ns] = m.split("!");
    return `${ns}!${cid}`;
  });
  expect(mirrored.sort()).toEqual([...byNs].sort());
  expect([...cps].sort()).toEqual([...byNs].sort());
  expect([...mds].sort()).toEqual([...byNs].sort());
  expect([...writes].sort()).toEqual([...writeIndex].sort());
  for (const member of cps) {
    const record = (await client.hget(keys.checkpoints, member))!;
    const [, list] = JSON.parse(record.slice(0, record.indexOf("\n"))) as [number, string];
    const ns = member.slice(0, member.indexOf("!"));
    for (const field of list.split(",").filter(Boolean)) {
      expect(await client.hexists(keys.channelValues, `${ns}!${field}`)).toBe(1);
    }
  }
  return byNs.length;
}

describe("restart: redis-server killed with SIGKILL mid-run", () => {
  let dir: string;
  let server: RedisServerProcess;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "savepoint-restart-"));
    server = await startRedisServer({ dir, args: PERSIST });
    port = server.port;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("fails the in-flight call with StorageUnavailableError and shows nothing half-written", async () => {
    // Fail fast: no reconnect, no retry, so the run sees the crash at once.
    const failFast: RedisOptions = {
      host: "127.0.0.1",
      port,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    };
    const client = new Redis(failFast);
    client.on("error", () => {});
    const saver = new RedisSaver(client, { prefix: PREFIX });
    const payload = "p".repeat(64 * 1024);
    const acked = new Map<string, { puts: string[]; writes: [string, string][] }>();
    const failures: { error: unknown; afterKillMs: number }[] = [];
    let killedAt = 0;

    const writer = async (threadId: string) => {
      const done = { puts: [] as string[], writes: [] as [string, string][] };
      acked.set(threadId, done);
      let head: string | undefined;
      for (let step = 0; ; step++) {
        try {
          const checkpoint = makeCheckpoint({ step, payload }, head);
          const config = await saver.put(
            cfg(threadId, head),
            checkpoint,
            makeMetadata({ step }),
            newVersionsOf(checkpoint),
            {
              ifHead: head ?? null,
            },
          );
          head = checkpoint.id;
          done.puts.push(checkpoint.id);
          const writes = Array.from({ length: 16 }, (_, i): [string, unknown] => [
            `ch${i}`,
            payload,
          ]);
          await saver.putWrites(config, writes, `task-${step}`);
          done.writes.push([checkpoint.id, `task-${step}`]);
        } catch (error) {
          failures.push({ error, afterKillMs: killedAt ? Date.now() - killedAt : -1 });
          return;
        }
      }
    };

    const threads = ["t-0", "t-1", "t-2", "t-3"];
    const running = threads.map(writer);
    await sleep(400);
    killedAt = Date.now();
    await server.crash();
    await Promise.all(running);
    client.disconnect();

    expect(failures).toHaveLength(threads.length);
    for (const f of failures) {
      expect(f.error).toBeInstanceOf(StorageUnavailableError);
      expect((f.error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(f.afterKillMs).toBeGreaterThanOrEqual(0);
      expect(f.afterKillMs).toBeLessThan(5_000);
    }
    for (const done of acked.values()) expect(done.puts.length).toBeGreaterThan(0);

    server = await startRedisServer({ port, dir, args: PERSIST });
    const reader = new Redis({ host: "127.0.0.1", port });
    try {
      const fresh = new RedisSaver(reader, { prefix: PREFIX });
      for (const [threadId, done] of acked) {
        const visible = await checkIntegrity(reader, threadId);
        // Every acknowledged put survived; at most the one in flight is extra.
        expect(visible - done.puts.length).toBeGreaterThanOrEqual(0);
        expect(visible - done.puts.length).toBeLessThanOrEqual(1);
        const listed = await collect(fresh.list(cfg(threadId)));
        expect(listed).toHaveLength(visible);
        for (const tuple of listed) {
          expect(tuple.checkpoint.channel_values.payload).toBe(payload);
          expect(tuple.metadata?.step).toBe(tuple.checkpoint.channel_values.step);
        }
        for (const [checkpointId, taskId] of done.writes) {
          const tuple = await fresh.getTuple(cfg(threadId, checkpointId));
          expect(tuple?.pendingWrites?.filter(([t]) => t === taskId)).toHaveLength(16);
        }
        // A putWrites is atomic too: a task has all 16 of its writes or none.
        for (const tuple of listed) {
          const perTask = new Map<string, number>();
          for (const [t] of tuple.pendingWrites ?? []) perTask.set(t, (perTask.get(t) ?? 0) + 1);
          for (const n of perTask.values()) expect(n).toBe(16);
        }
        await fresh.deleteThread(threadId);
      }
    } finally {
      reader.disconnect();
    }
  });

  it("completes a call that waits while ioredis reconnects", async () => {
    const client = new Redis({
      host: "127.0.0.1",
      port,
      maxRetriesPerRequest: 50,
      retryStrategy: () => 50,
    });
    client.on("error", () => {});
    const saver = new RedisSaver(client, { prefix: PREFIX });
    try {
      const first = makeCheckpoint({ n: 1 });
      const config = await saver.put(cfg("reconnect"), first, makeMetadata(), {});
      await server.crash();
      const second = makeCheckpoint({ n: 2 }, first.id);
      const pending = saver.put(config, second, makeMetadata(), {}, { ifHead: first.id });
      await sleep(300);
      server = await startRedisServer({ port, dir, args: PERSIST });
      await pending;
      expect((await saver.getTuple(cfg("reconnect")))?.checkpoint.id).toBe(second.id);
      await saver.deleteThread("reconnect");
    } finally {
      client.disconnect();
    }
  });
});
