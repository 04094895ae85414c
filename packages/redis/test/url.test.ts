import { inspect } from "node:util";
import { InvalidArgumentError, StorageUnavailableError } from "@savepoint/core";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, redactUrl } from "../src/index.js";
import { cfg } from "./helpers.js";
import { freePort } from "./server.js";

// Every password below contains SECRET, so one substring check catches a
// whole or partial leak (the part after an unencoded "@", say).
const SECRET = "S3cr3tPW";
const failFast = { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 };

// Everything an error shows: message, stack, String(cause), and whatever
// util.inspect prints (own properties such as a URL error's `input`, causes).
function shown(error: unknown): string {
  const e = error as Error;
  return [e?.message, e?.stack, String(e?.cause), inspect(e, { depth: 8 })].join("\n");
}

// What a URL costs: construction, then one call (which opens the connection).
async function errorsOf(url: string): Promise<unknown[]> {
  let saver: RedisSaver;
  try {
    saver = new RedisSaver(url, { redisOptions: failFast });
  } catch (error) {
    return [error];
  }
  try {
    const error = await saver.getTuple(cfg("t")).then(
      () => new Error("getTuple succeeded"),
      (err: unknown) => err,
    );
    return [error];
  } finally {
    await saver.close();
  }
}

describe("URLs and secrets", () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
  });

  const accepted = (p: number) => [
    `redis://:${SECRET}@127.0.0.1:${p}`,
    `redis://app:${SECRET}@127.0.0.1:${p}`,
    `redis://:p%40ss${SECRET}@127.0.0.1:${p}`,
    `redis://app:p%3Aw%2F${SECRET}%23@127.0.0.1:${p}/2`,
    `redis://:p@ss${SECRET}@127.0.0.1:${p}`,
    `redis://app:a@b@${SECRET}@127.0.0.1:${p}`,
    `rediss://:${SECRET}@127.0.0.1:${p}`,
    `REDIS://:${SECRET}@127.0.0.1:${p}`,
    `  redis://:${SECRET}@127.0.0.1:${p}`,
    `redis://:${SECRET}@127.0.0.1:${p}\n`,
  ];

  it("accepts every well-formed redis:// and rediss:// URL, and no error shows its password", async () => {
    for (const url of accepted(port)) {
      const [error] = await errorsOf(url);
      expect(error, JSON.stringify(url)).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(shown(error), JSON.stringify(url)).not.toContain(SECRET);
    }
  });

  const refused = [
    `redis:/:${SECRET}@127.0.0.1:6379`,
    `redis:${SECRET}@127.0.0.1:6379`,
    `redis:///:${SECRET}@127.0.0.1:6379`,
    `redis+sentinel://:${SECRET}@127.0.0.1:26379`,
    ` redis+sentinel://:${SECRET}@127.0.0.1:26379`,
    `valkey://:${SECRET}@127.0.0.1:6379`,
    `http://:${SECRET}@127.0.0.1:6379`,
    `unix://:${SECRET}@/tmp/redis.sock`,
    `redis://:${SECRET}@127.0.0.1:notaport`,
    `redis://:${SECRET}@127.0.0.1:99999`,
    `redis://:${SECRET}@127.0.0.1:6379/notadb`,
    `redis://:p%ZZ${SECRET}@127.0.0.1:6379`,
    `redis://:pa ss${SECRET}@127.0.0.1:6379`,
    `redis://:${SECRET}#frag@127.0.0.1:6379`,
    `redis://:${SECRET}/x@127.0.0.1:6379`,
    `redis://:${SECRET}@[::1`,
    `redis://:${SECRET}@`,
    `${SECRET}@127.0.0.1:6379`,
    `:${SECRET}@127.0.0.1:6379`,
    "127.0.0.1:6379",
    "",
    "   ",
  ];

  it("refuses every other string as InvalidArgumentError naming the accepted forms, never showing the password", async () => {
    for (const url of refused) {
      const errors = await errorsOf(url);
      expect(errors, JSON.stringify(url)).toHaveLength(1);
      const [error] = errors;
      expect(error, JSON.stringify(url)).toBeInstanceOf(InvalidArgumentError);
      const message = (error as Error).message;
      expect(message, JSON.stringify(url)).toContain("redis://[[user]:password@]host[:port][/db]");
      expect(message).toContain("rediss://");
      expect(shown(error), JSON.stringify(url)).not.toContain(SECRET);
    }
  });

  it("redacts the whole user info of any URL in a text, up to its last @", () => {
    expect(redactUrl("redis://:hunter2@cache:6379")).toBe("redis://:***@cache:6379");
    expect(redactUrl("redis://app:hunter2@cache:6379")).toBe("redis://app:***@cache:6379");
    expect(redactUrl(`redis://:p@ss${SECRET}@cache`)).toBe("redis://:***@cache");
    expect(redactUrl(`redis:/:${SECRET}@cache`)).toBe("redis:/:***@cache");
    expect(redactUrl(`redis:${SECRET}@cache`)).toBe("redis:***@cache");
    expect(redactUrl(`failed: rediss://${SECRET}@a:1 and redis://u:${SECRET}@b:2.`)).toBe(
      "failed: rediss://***@a:1 and redis://u:***@b:2.",
    );
    expect(redactUrl("redis://cache:6379/0")).toBe("redis://cache:6379/0");
  });
});
