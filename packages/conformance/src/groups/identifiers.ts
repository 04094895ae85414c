import { randomUUID } from "node:crypto";
import {
  type CheckpointSaver,
  type CheckpointTuple,
  InvalidIdentifierError,
  SavepointError,
} from "@savepoint/core";
import { beforeAll, describe, expect, it } from "vitest";
import { idsOf, listAll, putChain, threadConfig } from "../fixtures/checkpoints.js";
import { expectSameValue } from "../fixtures/equality.js";
import { hostileIdentifiers } from "../fixtures/identifiers.js";
import { useHarness } from "../harness.js";
import type { SaverInitializer } from "../initializer.js";

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function attempt<T>(op: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await op() };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectTypedRefusal(error: unknown, what: string): void {
  expect(error, `${what}: a refusal must be a SavepointError`).toBeInstanceOf(SavepointError);
  expect(
    (error as SavepointError).code,
    `${what}: a refusal must carry code INVALID_IDENTIFIER`,
  ).toBe("INVALID_IDENTIFIER");
}

const show = (id: string) => JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);

/**
 * The "identifiers" group: thread ids, namespaces, task ids, channel names,
 * metadata keys and checkpoint ids made of quotes, SQL and glob wildcards,
 * separators, whitespace, emoji, path pieces and 4 KB strings. Each either
 * round-trips or is refused with an `INVALID_IDENTIFIER` SavepointError, and
 * no operation on one ever reads, lists or deletes another thread's data (a
 * victim thread is checked after every test).
 *
 * @example
 * ```ts
 * import { identifiersGroup } from "@savepoint/conformance";
 * identifiersGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function identifiersGroup(init: SaverInitializer): void {
  describe("identifiers", () => {
    const h = useHarness(init);
    const victimId = h.threadId("victim");
    let victim: { main: CheckpointTuple[]; sub: CheckpointTuple[] };

    async function readVictim(saver: CheckpointSaver) {
      return {
        main: await listAll(saver, threadConfig(victimId, "")),
        sub: await listAll(saver, threadConfig(victimId, "sub")),
      };
    }

    async function expectVictimIntact(): Promise<void> {
      const now = await readVictim(h.saver());
      expectSameValue(now, victim, "the victim thread (another thread's data)");
    }

    beforeAll(async () => {
      const saver = h.saver();
      const [root] = await putChain(saver, victimId, 2, { metadata: () => ({ victim: true }) });
      await putChain(saver, victimId, 1, { ns: "sub" });
      await saver.putWrites(root!.config, [["secret", "victim data"]], "victim-task");
      victim = await readVictim(saver);
    });

    // The bare wildcard ids ("*", "%") are shared by every run on a storage, so clear them first.
    async function clear(saver: CheckpointSaver, id: string) {
      const r = await attempt(() => saver.deleteThread(id));
      if (!r.ok) expectTypedRefusal(r.error, `deleteThread(${show(id)})`);
    }

    it("an empty thread id is refused with InvalidIdentifierError by put, getTuple and putWrites", async () => {
      const saver = h.saver();
      const [c] = await putChain(saver, h.threadId(), 1);
      const ops: [string, () => Promise<unknown>][] = [
        ["put", () => saver.put(threadConfig(""), c!.checkpoint, c!.metadata, {})],
        ["getTuple", () => saver.getTuple(threadConfig(""))],
        [
          "putWrites",
          () => saver.putWrites(threadConfig("", "", c!.checkpoint.id), [["x", 1]], "t"),
        ],
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
        const put = await attempt(() =>
          putChain(saver, threadId, 1, { ns, values: () => ({ ns }) }),
        );
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
        expect(
          (await saver.getTuple(threadConfig(id)))?.checkpoint.channel_values,
          show(id),
        ).toEqual({ id });
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
        expect(
          (await saver.getTuple(threadConfig(id)))?.checkpoint.channel_values,
          show(id),
        ).toEqual({ id });
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
  });
}
