// What Postgres really stores for a growing list channel, read from its rows
// (the conformance group's "lists" checks only what reads give back), and a
// row written before migration 5 (a full value) still reads.
import type { PGlite } from "@electric-sql/pglite";
import { makeCheckpoint, makeMetadata, threadConfig } from "@savepoint/conformance";
import { LIST_CHAIN_LIMIT, LIST_TAIL_TYPE } from "@savepoint/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSaver } from "../src/index.js";
import { pglite, randomName } from "./fixtures.js";

let pg: PGlite;
let saver: PostgresSaver;
const schema = randomName("lists");

beforeAll(async () => {
  pg = await pglite();
  saver = new PostgresSaver(pg, { schema });
  await saver.setup();
});

afterAll(async () => {
  await saver?.close();
  await pg?.close();
});

async function growingThread(on: PostgresSaver, threadId: string, puts: number) {
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

async function rows(threadId: string) {
  const { rows } = await pg.query<{ type: string; base_version: string | null; version: string }>(
    `SELECT v.type, v.base_version, v.version FROM "${schema}".channel_values v
     JOIN "${schema}".checkpoints c ON c.thread_key = v.thread_key
     WHERE c.thread_id = $1 GROUP BY v.type, v.base_version, v.version ORDER BY v.version`,
    [threadId],
  );
  return rows;
}

describe("PostgresSaver list chains", () => {
  it("stores a growing list as tails that name their base, a full copy only where a read would follow more than LIST_CHAIN_LIMIT links", async () => {
    const puts = LIST_CHAIN_LIMIT + 30;
    const messages = await growingThread(saver, "t1", puts);
    const stored = await rows("t1");
    expect(stored).toHaveLength(puts);
    const tails = stored.filter((r) => r.type === LIST_TAIL_TYPE);
    expect(tails.every((r) => r.base_version !== null)).toBe(true);
    // The first 7 puts are too short to chain; the 8th is the chain's one full copy.
    expect(stored.length - tails.length).toBe(7 + 1);
    const head = await saver.getTuple(threadConfig("t1"));
    expect(head?.checkpoint.channel_values.messages).toEqual(messages);
  });

  it("a tail whose base row is gone reads as a CorruptValueError, never a shorter list", async () => {
    // Version 15 extends 14, which extends 12, which extends the full copy 8: 12 goes.
    await growingThread(saver, "t2", 15);
    await pg.query(
      `DELETE FROM "${schema}".channel_values WHERE version = '12' AND thread_key IN
       (SELECT thread_key FROM "${schema}".checkpoints WHERE thread_id = 't2')`,
    );
    await expect(saver.getTuple(threadConfig("t2"))).rejects.toMatchObject({
      code: "CORRUPT_VALUE",
    });
  });
});
