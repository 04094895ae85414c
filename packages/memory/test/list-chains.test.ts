// What the memory saver really keeps for a growing list channel, read from
// its storage (the conformance group's "lists" checks only what reads give).
import { makeCheckpoint, makeMetadata, threadConfig } from "@savepoint/conformance";
import { LIST_CHAIN_LIMIT } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { MemorySaver, MemoryStorage } from "../src/index.js";
import { isTail } from "../src/storage.js";

async function growingThread(saver: MemorySaver, threadId: string, puts: number) {
  let parent: ReturnType<typeof makeCheckpoint> | undefined;
  let config = threadConfig(threadId);
  const messages: { n: number; text: string }[] = [];
  for (let i = 0; i < puts; i++) {
    messages.push({ n: i, text: `message ${i}` });
    const made = makeCheckpoint({ messages: [...messages] }, parent);
    config = await saver.put(config, made.checkpoint, makeMetadata(), made.newVersions);
    parent = made;
  }
  return messages;
}

describe("MemorySaver list chains", () => {
  it("stores a growing list as tails, with a full copy only where a read would follow more than LIST_CHAIN_LIMIT links", async () => {
    const storage = new MemoryStorage();
    const saver = new MemorySaver({ storage });
    const puts = 2 * LIST_CHAIN_LIMIT + 20;
    const messages = await growingThread(saver, "t", puts);
    const blobs = [...storage.threads.get("t")!.get("")!.blobs.values()];
    const tails = blobs.filter((b) => isTail(b)).length;
    // The first 7 puts are too short to chain; the 8th is the chain's one full copy.
    expect(blobs.length - tails).toBe(7 + 1);
    expect(tails).toBe(puts - 8);
    const head = await saver.getTuple(threadConfig("t"));
    expect(head?.checkpoint.channel_values.messages).toEqual(messages);
  });

  it("a new saver on the same storage starts a new chain with a full copy", async () => {
    const storage = new MemoryStorage();
    await growingThread(new MemorySaver({ storage }), "t", 20);
    const before = storage.threads.get("t")!.get("")!.blobs.size;
    const fresh = new MemorySaver({ storage });
    const head = (await fresh.getTuple(threadConfig("t")))!;
    const messages = [...(head.checkpoint.channel_values.messages as unknown[]), { n: 20 }];
    const made = makeCheckpoint({ messages }, head);
    await fresh.put(head.config, made.checkpoint, makeMetadata(), made.newVersions);
    const blobs = [...storage.threads.get("t")!.get("")!.blobs.values()];
    expect(blobs).toHaveLength(before + 1);
    expect(isTail(blobs.at(-1))).toBe(false);
  });
});
