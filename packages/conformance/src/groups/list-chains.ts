import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointSaver,
  newCheckpointId,
  type RunnableConfig,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { makeMetadata, threadConfig } from "../fixtures/checkpoints.js";
import { requireSharedStorage } from "../fixtures/skips.js";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

// One list checkpoint as put: what a read must give back, its config, and
// its versions (so the next put can grow them as a runtime does).
interface ListPut {
  checkpoint: Checkpoint;
  config: RunnableConfig;
  /** A deep copy of the list at the time of the put: what every read must return. */
  expected: unknown;
}

// A message-like element: an object user code may change in place, with a
// value (a Date) the serializer tags, so element texts are not plain JSON.
function message(n: number, text = `message ${n}`) {
  return {
    role: n % 2 === 0 ? "human" : "ai",
    content: text,
    n,
    at: new Date(1_700_000_000_000 + n),
  };
}

function messages(count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => message(from + i));
}

let counter = 0;

// Puts `list` as channel "messages" (and a small "step" channel that changes
// too) on `parent`'s thread, as a runtime would: the new checkpoint's
// versions grow from the parent's, and only changed channels are in newVersions.
async function putList(
  saver: CheckpointSaver,
  threadId: string,
  parent: ListPut | undefined,
  list: unknown,
  ns = "",
): Promise<ListPut> {
  const before = parent?.checkpoint.channel_versions ?? {};
  // Versions unique across forks, as the saver kit's are: a fork's version never names another branch's value.
  counter++;
  const version = (channel: string) =>
    `${String((Number.parseInt(String(before[channel] ?? "0").split(".")[0]!, 10) || 0) + 1).padStart(8, "0")}.${counter}`;
  const newVersions: ChannelVersions = { messages: version("messages"), step: version("step") };
  const checkpoint: Checkpoint = {
    v: 4,
    id: newCheckpointId(parent?.checkpoint.id),
    ts: new Date().toISOString(),
    channel_values: { messages: list, step: counter },
    channel_versions: { ...before, ...newVersions },
    versions_seen: {},
  };
  const config = await saver.put(
    parent ? parent.config : threadConfig(threadId, ns),
    checkpoint,
    makeMetadata({}, counter),
    newVersions,
  );
  return { checkpoint, config, expected: structuredClone(list) };
}

async function expectExact(saver: CheckpointSaver, put: ListPut): Promise<void> {
  const tuple = await saver.getTuple(put.config);
  expect(tuple?.checkpoint.id).toBe(put.checkpoint.id);
  expect(tuple?.checkpoint.channel_values.messages).toEqual(put.expected);
}

// Appends `n` puts to `from`, each one element longer.
async function grow(
  saver: CheckpointSaver,
  threadId: string,
  from: ListPut,
  n: number,
): Promise<ListPut[]> {
  const puts: ListPut[] = [];
  let parent = from;
  for (let i = 0; i < n; i++) {
    const list = [...(parent.checkpoint.channel_values.messages as unknown[])];
    list.push(message(list.length, `reply ${i} on ${parent.checkpoint.id.slice(-6)}`));
    parent = await putList(saver, threadId, parent, list);
    puts.push(parent);
  }
  return puts;
}

/**
 * The "lists" group: a channel whose value is a list that grows by appends
 * (a chat's `messages`), which savers may store as tails of the previous
 * version. Every read must give back exactly the list that was put: along
 * a long chain, after a fork from an older checkpoint, when an element was
 * replaced or removed or the list got shorter, when user code changed an
 * element in place after it was stored, after a restart, after pruning, in
 * a copy, and when two puts race.
 *
 * @example
 * ```ts
 * import { listsGroup } from "@savepoint/conformance";
 * listsGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function listsGroup(init: SaverInitializer): void {
  describe("lists", () => {
    const h = useHarness(init);

    it("a long chain of appends reads back exactly at every checkpoint", async () => {
      const saver = h.saver();
      const threadId = h.threadId("chain");
      const first = await putList(saver, threadId, undefined, messages(10));
      const puts = [first, ...(await grow(saver, threadId, first, 150))];
      for (const put of puts) await expectExact(saver, put);
      const latest = await saver.getTuple(threadConfig(threadId));
      expect(latest?.checkpoint.channel_values.messages).toEqual(puts.at(-1)!.expected);
      let listed = 0;
      for await (const tuple of saver.list(threadConfig(threadId))) {
        const put = puts.find((p) => p.checkpoint.id === tuple.checkpoint.id)!;
        expect(tuple.checkpoint.channel_values.messages).toEqual(put.expected);
        listed++;
      }
      expect(listed).toBe(puts.length);
    });

    it("a fork from an older checkpoint builds on that checkpoint's list, not the newest", async () => {
      const saver = h.saver();
      const threadId = h.threadId("fork");
      const first = await putList(saver, threadId, undefined, messages(12));
      const main = await grow(saver, threadId, first, 20);
      const old = main[5]!;
      const forked = await grow(saver, threadId, old, 5);
      // The main line goes on from its head after the fork.
      const more = await grow(saver, threadId, main.at(-1)!, 3);
      for (const put of [...main, ...forked, ...more]) await expectExact(saver, put);
      expect(forked[0]!.expected).toHaveLength((old.expected as unknown[]).length + 1);
    });

    it("a replaced element, a removed element and a shorter list read back exactly", async () => {
      const saver = h.saver();
      const threadId = h.threadId("edits");
      const first = await putList(saver, threadId, undefined, messages(20));
      const [grown] = await grow(saver, threadId, first, 1);
      const replaced = [...(grown!.checkpoint.channel_values.messages as unknown[])];
      replaced[4] = message(4, "replaced");
      replaced.push(message(99));
      const a = await putList(saver, threadId, grown, replaced);
      const removed = replaced.filter((_, i) => i !== 7);
      removed.push(message(100));
      const b = await putList(saver, threadId, a, removed);
      const shorter = removed.slice(0, 10);
      const c = await putList(saver, threadId, b, shorter);
      const d = (await grow(saver, threadId, c, 3)).at(-1)!;
      const text = await putList(saver, threadId, d, "no longer a list");
      const again = await putList(saver, threadId, text, messages(12));
      const last = (await grow(saver, threadId, again, 2)).at(-1)!;
      for (const put of [first, grown!, a, b, c, d, text, again, last])
        await expectExact(saver, put);
    });

    it("an element changed in place after it was stored is read back as it was at each put", async () => {
      const saver = h.saver();
      const threadId = h.threadId("mutated");
      const list = messages(15);
      const first = await putList(saver, threadId, undefined, list);
      // User code edits a stored message object (LangChain messages are mutable) and appends.
      list[3]!.content = "edited in place";
      list[3]!.at = new Date(0);
      list.push(message(15));
      const second = await putList(saver, threadId, first, list);
      // And again, changing only a nested field of the newest element.
      (list[15] as { content: string }).content = "edited again";
      list.push(message(16));
      const third = await putList(saver, threadId, second, list);
      await expectExact(saver, first);
      await expectExact(saver, second);
      await expectExact(saver, third);
      const read = (await saver.getTuple(third.config))?.checkpoint.channel_values.messages as {
        content: string;
      }[];
      expect(read[3]!.content).toBe("edited in place");
      expect(read[15]!.content).toBe("edited again");
    });

    it("a new saver on the same storage continues a chain exactly, and the first one after it", async (ctx) => {
      await requireSharedStorage(init, h, ctx);
      const a = h.saver();
      const threadId = h.threadId("restart");
      const first = await putList(a, threadId, undefined, messages(10));
      const before = await grow(a, threadId, first, 10);
      const b = await h.fresh();
      const after = await grow(b, threadId, before.at(-1)!, 10);
      const back = await grow(a, threadId, after.at(-1)!, 5);
      for (const put of [...before, ...after, ...back]) {
        await expectExact(a, put);
        await expectExact(b, put);
      }
    });

    it("two puts racing from one parent each read back exactly", async () => {
      const saver = h.saver();
      const threadId = h.threadId("race");
      const first = await putList(saver, threadId, undefined, messages(10));
      const [head] = await grow(saver, threadId, first, 1);
      const base = head!.checkpoint.channel_values.messages as unknown[];
      const racers = await Promise.all(
        [0, 1, 2].map((i) => putList(saver, threadId, head, [...base, message(50 + i)])),
      );
      const next = await Promise.all(racers.map((r) => grow(saver, threadId, r, 2)));
      for (const put of [...racers, ...next.flat()]) await expectExact(saver, put);
    });

    it("a thread deleted and written again under its id reads only the new list", async () => {
      const saver = h.saver();
      const threadId = h.threadId("deleted");
      const first = await putList(saver, threadId, undefined, messages(10));
      await grow(saver, threadId, first, 5);
      await saver.deleteThread(threadId);
      const again = await putList(saver, threadId, undefined, messages(9, 500));
      const more = await grow(saver, threadId, again, 3);
      for (const put of [again, ...more]) await expectExact(saver, put);
    });

    it("pruning keeps what the kept checkpoints' lists are built from; resuming after it is exact", async (ctx) => {
      const saver = h.saver();
      if (!saver.capabilities?.retention || !saver.prune) ctx.skip("the saver does not prune");
      await requireSharedStorage(init, h, ctx);
      const threadId = h.threadId("pruned");
      const first = await putList(saver, threadId, undefined, messages(10));
      const puts = await grow(saver, threadId, first, 40);
      await saver.prune!([threadId], { keep: "latest" });
      await expectExact(saver, puts.at(-1)!);
      const after = await grow(saver, threadId, puts.at(-1)!, 5);
      for (const put of after) await expectExact(saver, put);
      const fresh = await h.fresh();
      const resumed = await grow(fresh, threadId, after.at(-1)!, 3);
      for (const put of [...after, ...resumed]) await expectExact(fresh, put);
      await saver.prune!([threadId], { keep: 2 });
      await expectExact(saver, resumed.at(-1)!);
      await expectExact(saver, resumed.at(-2)!);
    });

    it("a copied thread holds its lists whole: it reads exactly after the source is deleted", async (ctx) => {
      const saver = h.saver();
      if (!saver.capabilities?.retention || !saver.copyThread)
        ctx.skip("the saver does not copy threads");
      const from = h.threadId("copy-from");
      const to = h.threadId("copy-to");
      const first = await putList(saver, from, undefined, messages(10));
      const puts = [first, ...(await grow(saver, from, first, 20))];
      await saver.copyThread!(from, to);
      await saver.deleteThread(from);
      for (const put of puts) {
        const tuple = await saver.getTuple({
          configurable: { thread_id: to, checkpoint_ns: "", checkpoint_id: put.checkpoint.id },
        });
        expect(tuple?.checkpoint.channel_values.messages).toEqual(put.expected);
      }
      const head = await saver.getTuple(threadConfig(to));
      const list = [...(head!.checkpoint.channel_values.messages as unknown[]), message(77)];
      const next = await putList(saver, to, { ...puts.at(-1)!, config: head!.config }, list);
      await expectExact(saver, next);
    });
  });
}
