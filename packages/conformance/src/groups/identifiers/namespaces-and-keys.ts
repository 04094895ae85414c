import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { idsOf, listAll, putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { hostileIdentifiers } from "../../fixtures/identifiers.js";
import { attempt, expectTypedRefusal, type IdentifiersContext, show } from "./context.js";

/** Hostile namespaces, look-alike thread ids, task ids, channels, metadata keys and checkpoint ids. */
export function namespaceAndKeyTests({
  h,
  victimId,
  expectVictimIntact,
  clear,
}: IdentifiersContext): void {
  it("hostile namespaces: each round-trips on its own and lists apart", async () => {
    const saver = h.saver();
    const threadId = h.threadId();
    const namespaces = [
      ...hostileIdentifiers(randomUUID()).map((x) => x.id),
      "sub",
      "sub:child",
      "sub|child",
    ];
    const accepted: string[] = [];
    for (const ns of namespaces) {
      const put = await attempt(() => putChain(saver, threadId, 1, { ns, values: () => ({ ns }) }));
      if (put.ok) accepted.push(ns);
      else expectTypedRefusal(put.error, `put in namespace ${show(ns)}`);
    }
    for (const ns of accepted) {
      const tuple = await saver.getTuple(threadConfig(threadId, ns));
      expect(tuple?.checkpoint.channel_values, `namespace ${show(ns)}`).toEqual({ ns });
      expect(tuple?.config.configurable?.checkpoint_ns).toBe(ns);
      const listed = await listAll(saver, threadConfig(threadId, ns));
      expect(
        listed.map((t) => t.checkpoint.channel_values.ns),
        `list of ${show(ns)}`,
      ).toEqual([ns]);
    }
    expect(await listAll(saver, { configurable: { thread_id: threadId } })).toHaveLength(
      accepted.length,
    );
    await saver.deleteThread(threadId);
    expect(await listAll(saver, { configurable: { thread_id: threadId } })).toEqual([]);
    await expectVictimIntact();
  });

  it("thread ids that are prefixes of each other stay apart", async () => {
    const saver = h.saver();
    const base = h.threadId("prefix");
    const family = [
      base,
      `${base}1`,
      `${base}:`,
      `${base}%`,
      `${base}_`,
      `${base}*`,
      `${base} `,
      base.slice(0, -1),
    ];
    for (const id of family) await putChain(saver, id, 1, { values: () => ({ id }) });
    for (const id of family) {
      const listed = await listAll(saver, threadConfig(id));
      expect(
        listed.map((t) => t.checkpoint.channel_values.id),
        `list of ${show(id)}`,
      ).toEqual([id]);
    }
    await saver.deleteThread(base);
    expect(await saver.getTuple(threadConfig(base))).toBeUndefined();
    for (const id of family.slice(1)) {
      expect((await saver.getTuple(threadConfig(id)))?.checkpoint.channel_values, show(id)).toEqual(
        { id },
      );
      await saver.deleteThread(id);
    }
    await expectVictimIntact();
  });

  it("thread ids differing only in case, trailing space or unicode normalization are distinct", async () => {
    const saver = h.saver();
    const u = randomUUID();
    const family = [
      `${u}-Thread`,
      `${u}-thread`,
      `${u}-thread `,
      `${u}-caf\u00e9`,
      `${u}-cafe\u0301`,
    ];
    const accepted: string[] = [];
    for (const id of family) {
      const put = await attempt(() => putChain(saver, id, 1, { values: () => ({ id }) }));
      if (put.ok) accepted.push(id);
      else expectTypedRefusal(put.error, `put on ${show(id)}`);
    }
    for (const id of accepted) {
      expect((await saver.getTuple(threadConfig(id)))?.checkpoint.channel_values, show(id)).toEqual(
        { id },
      );
      expect(await listAll(saver, threadConfig(id)), show(id)).toHaveLength(1);
    }
    for (const id of accepted) await saver.deleteThread(id);
    await expectVictimIntact();
  });

  it("hostile task ids, task paths and channel names in writes round-trip", async () => {
    const saver = h.saver();
    const threadId = h.threadId();
    const [c] = await putChain(saver, threadId, 1);
    const names = hostileIdentifiers(randomUUID()).map((x) => x.id);
    const expected: [string, string, unknown][] = [];
    for (const name of names) {
      const r = await attempt(() => saver.putWrites(c!.config, [[name, { name }]], name, ""));
      if (r.ok) expected.push([name, name, { name }]);
      else expectTypedRefusal(r.error, `putWrites with task ${show(name)}`);
    }
    const writes = (await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? [];
    const byTask = (rows: [string, string, unknown][]) =>
      [...rows].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    expect(byTask(writes as [string, string, unknown][])).toEqual(byTask(expected));
    await expectVictimIntact();
  });

  it("hostile metadata keys and values filter exactly, with no injection", async () => {
    const saver = h.saver();
    const threadId = h.threadId();
    const keys = [
      "a'b",
      'x"); --',
      "a.b",
      "a->>b",
      "$where",
      "{}",
      "a b",
      "ключ",
      "🔑",
      "%",
      "_",
      "*",
    ];
    const chain = await putChain(saver, threadId, keys.length, {
      metadata: (i) => ({ [keys[i]!]: `${keys[i]}' OR '1'='1` }),
    });
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const hit = await listAll(saver, threadConfig(threadId), {
        filter: { [key]: `${key}' OR '1'='1` },
      });
      expect(idsOf(hit), `filter on key ${show(key)}`).toEqual([chain[i]!.checkpoint.id]);
      expect(hit[0]?.metadata?.[key]).toBe(`${key}' OR '1'='1`);
      const miss = await listAll(saver, threadConfig(threadId), {
        filter: { [key]: "' OR '1'='1" },
      });
      expect(miss, `filter on key ${show(key)} with another value`).toEqual([]);
    }
    await expectVictimIntact();
  });

  it("a hostile checkpoint_id reads nothing and writes nowhere else", async () => {
    const saver = h.saver();
    const threadId = h.threadId();
    await putChain(saver, threadId, 2);
    for (const id of [
      "' OR '1'='1",
      "*",
      "%",
      "",
      "../x",
      "00000000-0000-0000-0000-000000000000",
    ]) {
      const read = await attempt(() => saver.getTuple(threadConfig(victimId, "", id)));
      if (read.ok) {
        // An empty checkpoint_id may mean "the latest"; anything else names no checkpoint.
        if (id !== "")
          expect(read.value, `getTuple with checkpoint_id ${show(id)}`).toBeUndefined();
      } else expectTypedRefusal(read.error, `getTuple with checkpoint_id ${show(id)}`);
      const listed = await attempt(() =>
        listAll(saver, threadConfig(threadId), { before: threadConfig(threadId, "", id) }),
      );
      if (!listed.ok) expectTypedRefusal(listed.error, `list before ${show(id)}`);
      const wrote = await attempt(() =>
        saver.putWrites(threadConfig(threadId, "", id), [["x", 1]], "task-1"),
      );
      if (!wrote.ok) expectTypedRefusal(wrote.error, `putWrites on checkpoint ${show(id)}`);
    }
    expect((await saver.getTuple(threadConfig(threadId)))?.pendingWrites ?? []).toEqual([]);
    await expectVictimIntact();
  });

  it("deleteThread with a wildcard-looking id deletes nothing else", async () => {
    const saver = h.saver();
    for (const id of [
      "*",
      "%",
      "_",
      "?",
      "[a-z]*",
      ".*",
      "{*}",
      `${victimId.slice(0, 12)}*`,
      `${victimId.slice(0, 12)}%`,
    ]) {
      await clear(saver, id);
      await expectVictimIntact();
    }
  });
}
