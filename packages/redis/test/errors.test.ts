import { randomUUID } from "node:crypto";
import {
  entrypoint,
  InvalidArgumentError,
  StorageError,
  StorageUnavailableError,
  task,
} from "@savepoint/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadKeys } from "../src/index.js";
import {
  cfg,
  deletePrefix,
  makeCheckpoint,
  makeMetadata,
  REDIS_URL,
  randomPrefix,
  redisUp,
} from "./helpers.js";
import { freePort, type RedisServerProcess, startRedisServer } from "./server.js";

const failFast = { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 };

describe("errors", () => {
  it("rejects an unusable prefix, source or ttl", () => {
    expect(() => new RedisSaver("redis://127.0.0.1:1", { prefix: "a{b}" })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new RedisSaver("redis://127.0.0.1:1", { prefix: "" })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new RedisSaver("http://:pw@127.0.0.1:1")).toThrow(/http:\/\/:\*\*\*@127/);
    expect(() => new RedisSaver({} as never)).toThrow(InvalidArgumentError);
    expect(() => new RedisSaver(new Redis({ lazyConnect: true }), { ttl: { seconds: 0 } })).toThrow(
      InvalidArgumentError,
    );
  });

  it("reports a refused connection as StorageUnavailableError naming host:port, never the password", async () => {
    const port = await freePort();
    const saver = new RedisSaver(`redis://app:s3cret-pw@127.0.0.1:${port}`, {
      redisOptions: failFast,
    });
    try {
      const err = await saver.getTuple(cfg("t")).catch((e) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(err.code).toBe("STORAGE_UNAVAILABLE");
      expect(err.message).toContain(`Redis at 127.0.0.1:${port}`);
      expect(err.message).not.toContain("s3cret");
      const put = await saver.put(cfg("t"), makeCheckpoint(), makeMetadata(), {}).catch((e) => e);
      expect(put).toBeInstanceOf(StorageUnavailableError);
    } finally {
      await saver.close();
    }
  });

  it("reports prune, copyThread and sweep against a refused connection as StorageUnavailableError", async () => {
    const port = await freePort();
    const saver = new RedisSaver(`redis://127.0.0.1:${port}`, {
      redisOptions: failFast,
      ttl: { idle: "1h" },
    });
    try {
      for (const call of [
        () => saver.prune(["t"], { keep: "latest" }),
        () => saver.copyThread("t", "u"),
        () => saver.sweep(),
      ]) {
        const err = await call().catch((e) => e);
        expect(err).toBeInstanceOf(StorageUnavailableError);
        expect(err.message).toContain(`Redis at 127.0.0.1:${port}`);
      }
      const prune = await saver.prune(["t"], { keep: 1 }).catch((e) => e);
      expect(prune.message).toMatch(/either committed whole or not at all/);
    } finally {
      await saver.close();
    }
  });

  it("fails a workflow run with StorageUnavailableError when Redis is gone, without hanging", async () => {
    const server = await startRedisServer();
    const saver = new RedisSaver(server.url, { redisOptions: failFast });
    try {
      let calls = 0;
      const step = task("step", async (i: number) => {
        calls++;
        if (calls === 3) await server.crash();
        return i;
      });
      const wf = entrypoint({ name: "crash", checkpointer: saver }, async (n: number) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await step(i);
        return sum;
      });
      const started = Date.now();
      const err = await wf
        .invoke(10, { configurable: { thread_id: "t" }, durability: "sync" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await saver.close();
      await server.stop();
    }
  });

  describe("with a password-protected server", () => {
    let server: RedisServerProcess;
    beforeAll(async () => {
      server = await startRedisServer({ args: ["--requirepass", "s3cret-pw"] });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("works through a URL with a password, and hides it when the server goes away", async () => {
      const url = `redis://:s3cret-pw@127.0.0.1:${server.port}`;
      const saver = new RedisSaver(url, { redisOptions: failFast });
      await saver.put(cfg("t"), makeCheckpoint(), makeMetadata(), {});
      expect(await saver.getTuple(cfg("t"))).toBeDefined();
      await server.crash();
      const err = await saver.getTuple(cfg("t")).catch((e) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(err.message).toContain(`127.0.0.1:${server.port}`);
      expect(`${err.message} ${err.cause?.message}`).not.toContain("s3cret");
      await saver.close();
    });
  });

  describe.skipIf(!redisUp)("against the service", () => {
    let client: Redis;
    const prefix = randomPrefix("errors");
    beforeAll(() => {
      client = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      await deletePrefix(client, prefix);
      client.disconnect();
    });

    it("reports a script error as StorageError", async () => {
      const saver = new RedisSaver(client, { prefix });
      const t = `wrongtype-${randomUUID()}`;
      await client.set(threadKeys(prefix, t).byNamespace, "not a sorted set");
      const err = await saver.put(cfg(t), makeCheckpoint(), makeMetadata(), {}).catch((e) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect(err.code).toBe("STORAGE_ERROR");
      expect(err.message).toMatch(/Redis at .*:\d+ answered put with an error: .*WRONGTYPE/);
    });

    it("closes only the client it opened", async () => {
      const injected = new RedisSaver(client, { prefix });
      await injected.close();
      expect(await client.ping()).toBe("PONG");
      const owned = new RedisSaver(REDIS_URL, { prefix });
      await owned.getTuple(cfg("x"));
      await owned.close();
      expect(owned.client.status).toBe("end");
      await owned.close();
    });
  });
});
