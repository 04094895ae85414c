import { InvalidIdentifierError } from "@savepoint/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver } from "../src/index.js";
import {
  cfg,
  collect,
  deletePrefix,
  makeCheckpoint,
  makeMetadata,
  newVersionsOf,
  REDIS_URL,
  randomPrefix,
  redisUp,
} from "./helpers.js";

// What changed on purpose when the saver moved to core's saver kit: one
// identifier rule (well-formed text only) and core's reading of `limit`.
describe.skipIf(!redisUp)("RedisSaver on core's saver kit", () => {
  const prefix = randomPrefix("kit");
  let client: Redis;
  let saver: RedisSaver;

  beforeAll(() => {
    client = new Redis(REDIS_URL);
    saver = new RedisSaver(client, { prefix });
  });
  afterAll(async () => {
    await deletePrefix(client, prefix);
    client.disconnect();
  });

  it("rounds a fractional limit up: limit 1.5 yields 2 tuples", async () => {
    const t = `limit-${prefix}`;
    let config = cfg(t);
    for (let i = 0; i < 3; i++) {
      config = await saver.put(config, makeCheckpoint({ i }), makeMetadata({ step: i }), {});
    }
    expect(await collect(saver.list(cfg(t), { limit: 1.5 }))).toHaveLength(2);
    expect(await collect(saver.list({}, { limit: 1.5 }))).toHaveLength(2);
  });

  it("refuses a thread id with a lone surrogate in every method", async () => {
    // "X\ud800" would be stored as "X\ufffd" (UTF-8): it must not reach this thread.
    const twin = await saver.put(cfg("X\ufffd"), makeCheckpoint(), makeMetadata(), {});
    const bad = "X\ud800";
    const refusals: [string, () => Promise<unknown>][] = [
      ["getTuple", () => saver.getTuple(cfg(bad))],
      ["put", () => saver.put(cfg(bad), makeCheckpoint(), makeMetadata(), {})],
      ["putWrites", () => saver.putWrites(cfg(bad, "c"), [["a", 1]], "task")],
      ["list", () => collect(saver.list(cfg(bad)))],
      ["deleteThread", () => saver.deleteThread(bad)],
    ];
    for (const [method, call] of refusals) {
      const error = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, method).toBeInstanceOf(InvalidIdentifierError);
      expect((error as InvalidIdentifierError).code).toBe("INVALID_IDENTIFIER");
      expect((error as Error).message).toContain(`${method}: `);
    }
    expect((await saver.getTuple(cfg("X\ufffd")))?.config).toEqual(twin);
  });

  it("has LangGraph's get and toJSON, and reads nothing for a config without thread_id", async () => {
    const t = `surface-${prefix}`;
    const checkpoint = makeCheckpoint({ topic: "cats" });
    await saver.put(cfg(t), checkpoint, makeMetadata(), newVersionsOf(checkpoint));
    expect(await saver.get(cfg(t))).toEqual(checkpoint);
    expect(await saver.get(cfg(t, `${checkpoint.id}-unknown`))).toBeUndefined();
    expect(await saver.get({ configurable: { checkpoint_ns: "" } })).toBeUndefined();
    expect(await saver.getTuple({})).toBeUndefined();
    await expect(saver.getTuple(cfg(""))).rejects.toBeInstanceOf(InvalidIdentifierError);
    const url = new RedisSaver("redis://:secret@127.0.0.1:6379", { prefix });
    expect(JSON.stringify({ saver: url })).toBe('{"saver":"[RedisSaver]"}');
    await url.close();
  });

  it("refuses a thread id that is not a string in deleteThread", async () => {
    await expect(saver.deleteThread(7 as any)).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(saver.deleteThread(7 as any)).rejects.toMatchObject({
      code: "INVALID_IDENTIFIER",
    });
  });
});
