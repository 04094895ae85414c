import { randomUUID } from "node:crypto";
import { InvalidIdentifierError } from "@savepoint/core";
import { expect, it } from "vitest";
import { idsOf, listAll, putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { hostileIdentifiers } from "../../fixtures/identifiers.js";
import { attempt, expectTypedRefusal, type IdentifiersContext, show } from "./context.js";

/** Empty and hostile thread ids: each round-trips on its own thread, or is refused with a typed error. */
export function threadIdTests({ h, expectVictimIntact, clear }: IdentifiersContext): void {
  it("an empty thread id is refused with InvalidIdentifierError by put, getTuple and putWrites", async () => {
    const saver = h.saver();
    const [c] = await putChain(saver, h.threadId(), 1);
    const ops: [string, () => Promise<unknown>][] = [
      ["put", () => saver.put(threadConfig(""), c!.checkpoint, c!.metadata, {})],
      ["getTuple", () => saver.getTuple(threadConfig(""))],
      ["putWrites", () => saver.putWrites(threadConfig("", "", c!.checkpoint.id), [["x", 1]], "t")],
    ];
    for (const [name, op] of ops) {
      const r = await attempt(op);
      expect(r.ok, `${name} with thread_id ""`).toBe(false);
      if (!r.ok) {
        expect(r.error).toBeInstanceOf(InvalidIdentifierError);
        expectTypedRefusal(r.error, name);
      }
    }
    await expectVictimIntact();
  });

  it("hostile thread ids: put and getTuple round-trip, or are refused with a typed error", async () => {
    const saver = h.saver();
    for (const { label, id } of hostileIdentifiers(randomUUID())) {
      await clear(saver, id);
      const put = await attempt(() => putChain(saver, id, 2, { values: (i) => ({ label, i }) }));
      if (!put.ok) {
        expectTypedRefusal(put.error, `put on ${label} ${show(id)}`);
        const read = await attempt(() => saver.getTuple(threadConfig(id)));
        if (read.ok) expect(read.value, `getTuple on refused ${label}`).toBeUndefined();
        else expectTypedRefusal(read.error, `getTuple on ${label}`);
        continue;
      }
      const [first, second] = put.value;
      expect(put.value[0]!.config.configurable?.thread_id, label).toBe(id);
      const latest = await saver.getTuple(threadConfig(id));
      expect(latest?.checkpoint.id, `latest of ${label}`).toBe(second!.checkpoint.id);
      expect(latest?.config.configurable?.thread_id, label).toBe(id);
      expect(latest?.checkpoint.channel_values, label).toEqual({ label, i: 1 });
      const byId = await saver.getTuple(threadConfig(id, "", first!.checkpoint.id));
      expect(byId?.checkpoint.channel_values, label).toEqual({ label, i: 0 });
      await clear(saver, id);
    }
    await expectVictimIntact();
  });

  it("hostile thread ids: writes round-trip on their own thread only", async () => {
    const saver = h.saver();
    for (const { label, id } of hostileIdentifiers(randomUUID())) {
      await clear(saver, id);
      const put = await attempt(() => putChain(saver, id, 1));
      if (!put.ok) {
        expectTypedRefusal(put.error, `put on ${label}`);
        continue;
      }
      const config = put.value[0]!.config;
      await saver.putWrites(config, [["who", label]], "task-1");
      expect((await saver.getTuple(threadConfig(id)))?.pendingWrites, label).toEqual([
        ["task-1", "who", label],
      ]);
      await clear(saver, id);
    }
    await expectVictimIntact();
  });

  it("hostile thread ids: list({ thread_id }) returns that thread's checkpoints and nothing else", async () => {
    const saver = h.saver();
    const ids = hostileIdentifiers(randomUUID());
    const written = new Map<string, string[]>();
    for (const { id } of ids) await clear(saver, id);
    for (const { label, id } of ids) {
      const put = await attempt(() => putChain(saver, id, 2));
      if (put.ok) written.set(id, put.value.map((c) => c.checkpoint.id).reverse());
      else expectTypedRefusal(put.error, `put on ${label}`);
    }
    for (const { label, id } of ids) {
      const listed = await attempt(() => listAll(saver, { configurable: { thread_id: id } }));
      if (!listed.ok) {
        expectTypedRefusal(listed.error, `list on ${label}`);
        continue;
      }
      expect(idsOf(listed.value), `list of ${label} ${show(id)}`).toEqual(written.get(id) ?? []);
      for (const t of listed.value) expect(t.config.configurable?.thread_id, label).toBe(id);
    }
    for (const { id } of ids) await clear(saver, id);
    await expectVictimIntact();
  });

  it("hostile thread ids: deleteThread removes that thread and no other", async () => {
    const saver = h.saver();
    const ids = hostileIdentifiers(randomUUID()).map((x) => x.id);
    for (const id of ids) await clear(saver, id);
    const alive = new Set<string>();
    for (const id of ids) {
      const put = await attempt(() => putChain(saver, id, 1));
      if (put.ok) alive.add(id);
    }
    for (const id of ids) {
      await clear(saver, id);
      alive.delete(id);
      for (const other of alive) {
        expect(
          await saver.getTuple(threadConfig(other)),
          `deleteThread(${show(id)}) removed ${show(other)}`,
        ).toBeDefined();
      }
      await expectVictimIntact();
    }
  });
}
