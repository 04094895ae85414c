// What Redis really stores for a growing list channel, read from the
// thread's channel value hash (the conformance group's "lists" checks only
// what reads give back), and what a read does when a tail's base is gone.
import { makeCheckpoint, makeMetadata, threadConfig } from "@savepoint/conformance";
import { LIST_CHAIN_LIMIT } from "@savepoint/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSaver, threadKeys } from "../src/index.js";
import { deletePrefix, REDIS_URL, randomPrefix, redisUp } from "./helpers.js";

const prefix = randomPrefix("lists");
let client: Redis;
let saver: RedisSaver;

beforeAll(() => {
  if (!redisUp) return;
  client = new Redis(REDIS_URL);
  saver = new RedisSaver(client, { prefix });
});

afterAll(async () => {
  if (!redisUp) return;
  await deletePrefix(client, prefix);
  client.disconnect();
});

async function growingThread(on: RedisSaver, threadId: string, puts: number) {
  let parent: ReturnType<typeof makeCheckpoint> | undefined;
  let config = threadConfig(threadId);
  const messages: { n: number; at: Date }[] = [];
  for (let i = 0; i < puts; i++) {
    messages.push({ n: i, at: new Date(i) });
    const made = makeCheckpoint({ messages: [...messages] }, parent);
    config = await on.put(config, made.checkpoint, makeMetadata(), made.newVersions);
    parent = made;
  }
  return messages;
}

describe.skipIf(!redisUp)("RedisSaver list chains", () => {
  it("stores a growing list as tail records, a full copy only where a read would follow more than LIST_CHAIN_LIMIT links", async () => {
    const puts = LIST_CHAIN_LIMIT + 30;
    const messages = await growingThread(saver, "t1", puts);
    const records = await client.hvalsBuffer(threadKeys(prefix, "t1").channelValues);
    expect(records).toHaveLength(puts);
    const tails = records.filter((r) => r.toString("utf8", 0, 3) === "[2,");
    // The first 7 puts are too short to chain; the 8th is the chain's one full copy.
    expect(records.length - tails.length).toBe(7 + 1);
    const head = await saver.getTuple(threadConfig("t1"));
    expect(head?.checkpoint.channel_values.messages).toEqual(messages);
  });

  it("a tail whose base is gone reads as a CorruptValueError; a put on a base gone meanwhile stores its list whole", async () => {
    const keys = threadKeys(prefix, "t2");
    let parent: ReturnType<typeof makeCheckpoint> | undefined;
    let config = threadConfig("t2");
    const messages: number[] = [];
    for (let i = 0; i < 12; i++) {
      messages.push(i);
      const made = makeCheckpoint({ messages: [...messages] }, parent);
      config = await saver.put(config, made.checkpoint, makeMetadata(), made.newVersions);
      parent = made;
    }
    const field = (v: number) =>
      `${Buffer.from("").toString("hex")}!${Buffer.from("messages").toString("hex")}!${Buffer.from(String(v)).toString("hex")}`;
    // The full copy the head's chain ends at (version 12 extends version 8) is gone: the read refuses.
    expect(await client.hdel(keys.channelValues, field(8))).toBe(1);
    await expect(saver.getTuple(threadConfig("t2"))).rejects.toMatchObject({
      code: "CORRUPT_VALUE",
    });
    // The saver still holds version 12 as the base of a put from checkpoint 12: removed, the put goes whole.
    expect(await client.hdel(keys.channelValues, field(12))).toBe(1);
    messages.push(12);
    const made = makeCheckpoint({ messages: [...messages] }, parent);
    const next = await saver.put(config, made.checkpoint, makeMetadata(), made.newVersions);
    const record = await client.hgetBuffer(keys.channelValues, field(13));
    expect(record?.toString("utf8", 0, 3)).toBe("[1,");
    expect((await saver.getTuple(next))?.checkpoint.channel_values.messages).toEqual(messages);
  });
});
