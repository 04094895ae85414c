import { randomUUID } from "node:crypto";
import {
  type CheckpointSaver,
  entrypoint,
  InvalidArgumentError,
  InvalidIdentifierError,
  newCheckpointId,
  type SavepointError,
  task,
} from "@savepoint/core";
import { describe, expect, it } from "vitest";
import {
  idsOf,
  listAll,
  makeCheckpoint,
  makeMetadata,
  putChain,
  threadConfig,
} from "../../fixtures/checkpoints.js";
import { countingSaver } from "../../fixtures/counting-saver.js";
import { loneSurrogateIdentifiers, wellFormedNeighbours } from "../../fixtures/identifiers.js";
import { attempt, type IdentifiersContext, show } from "./context.js";

type Op = [what: string, run: () => Promise<unknown>];

// Each op must be refused with InvalidIdentifierError (not merely any error).
async function expectEachRefused(ops: Op[]): Promise<void> {
  for (const [what, run] of ops) {
    const r = await attempt(run);
    expect(r.ok, `${what} must be refused`).toBe(false);
    if (r.ok) continue;
    expect(r.error, `${what}: the refusal`).toBeInstanceOf(InvalidIdentifierError);
    expect((r.error as SavepointError).code, what).toBe("INVALID_IDENTIFIER");
  }
}

/**
 * Identifiers with a lone UTF-16 surrogate: refused by every saver method,
 * in every place an identifier goes, and by the runtime before anything is
 * stored; their well-formed neighbours are accepted and stay apart.
 */
export function loneSurrogateTests({ h, expectVictimIntact }: IdentifiersContext): void {
  describe("lone surrogates", () => {
    // One well-formed thread with a checkpoint, to aim the ill-formed parts of a config at.
    async function target(saver: CheckpointSaver) {
      const threadId = h.threadId("surrogate-target");
      const [c] = await putChain(saver, threadId, 1);
      return { threadId, c: c! };
    }

    // The target thread still holds exactly its one checkpoint, with no writes.
    async function expectUntouched(saver: CheckpointSaver, threadId: string, id: string) {
      const listed = await listAll(saver, { configurable: { thread_id: threadId } });
      expect(idsOf(listed), "the target thread's checkpoints").toEqual([id]);
      expect(listed[0]?.pendingWrites ?? [], "the target thread's writes").toEqual([]);
    }

    it("thread ids with a lone surrogate are refused with InvalidIdentifierError by put, getTuple, list, putWrites and deleteThread", async () => {
      const saver = h.saver();
      const { c } = await target(saver);
      for (const { label, id } of loneSurrogateIdentifiers(randomUUID())) {
        const { checkpoint, newVersions } = makeCheckpoint({ label });
        await expectEachRefused([
          [
            `put on ${label}`,
            () => saver.put(threadConfig(id), checkpoint, makeMetadata(), newVersions),
          ],
          [`getTuple on ${label}`, () => saver.getTuple(threadConfig(id))],
          [`list on ${label}`, () => listAll(saver, { configurable: { thread_id: id } })],
          [
            `putWrites on ${label}`,
            () => saver.putWrites(threadConfig(id, "", c.checkpoint.id), [["x", 1]], "task-1"),
          ],
          [`deleteThread(${show(id)}) (${label})`, () => saver.deleteThread(id)],
        ]);
      }
      await expectVictimIntact();
    });

    it("namespaces with a lone surrogate are refused by put, getTuple, list and putWrites", async () => {
      const saver = h.saver();
      const { threadId, c } = await target(saver);
      for (const { label, id: ns } of loneSurrogateIdentifiers(randomUUID())) {
        const { checkpoint, newVersions } = makeCheckpoint({ label });
        await expectEachRefused([
          [
            `put in namespace ${label}`,
            () => saver.put(threadConfig(threadId, ns), checkpoint, makeMetadata(), newVersions),
          ],
          [`getTuple in namespace ${label}`, () => saver.getTuple(threadConfig(threadId, ns))],
          [`list in namespace ${label}`, () => listAll(saver, threadConfig(threadId, ns))],
          [
            `putWrites in namespace ${label}`,
            () =>
              saver.putWrites(threadConfig(threadId, ns, c.checkpoint.id), [["x", 1]], "task-1"),
          ],
        ]);
      }
      await expectUntouched(saver, threadId, c.checkpoint.id);
      await expectVictimIntact();
    });

    it("checkpoint ids with a lone surrogate are refused in configs, as checkpoint.id, as ifHead and as before", async () => {
      const saver = h.saver();
      const { threadId, c } = await target(saver);
      const base = newCheckpointId(c.checkpoint.id);
      for (const id of [`${base}\ud800`, `${base}\udc00`, `\udbff${base}`]) {
        const label = show(id);
        const fresh = makeCheckpoint({ x: 2 }, c);
        const named = makeCheckpoint({ x: 3 }, c, id);
        const ops: Op[] = [
          [`getTuple of checkpoint ${label}`, () => saver.getTuple(threadConfig(threadId, "", id))],
          [
            `putWrites on checkpoint ${label}`,
            () => saver.putWrites(threadConfig(threadId, "", id), [["x", 1]], "task-1"),
          ],
          [
            `put with parent checkpoint ${label}`,
            () =>
              saver.put(
                threadConfig(threadId, "", id),
                fresh.checkpoint,
                makeMetadata(),
                fresh.newVersions,
              ),
          ],
          [
            `put of checkpoint.id ${label}`,
            () => saver.put(c.config, named.checkpoint, makeMetadata(), named.newVersions),
          ],
          [
            `list before ${label}`,
            () =>
              listAll(saver, threadConfig(threadId), { before: threadConfig(threadId, "", id) }),
          ],
        ];
        // ifHead means something only to a saver that does conditional puts.
        if (saver.capabilities?.conditionalPut) {
          ops.push([
            `put with ifHead ${label}`,
            () =>
              saver.put(c.config, fresh.checkpoint, makeMetadata(), fresh.newVersions, {
                ifHead: id,
              }),
          ]);
        }
        await expectEachRefused(ops);
      }
      await expectUntouched(saver, threadId, c.checkpoint.id);
      await expectVictimIntact();
    });

    it("task ids, task paths and write channels with a lone surrogate are refused by putWrites, which stores nothing", async () => {
      const saver = h.saver();
      const { threadId, c } = await target(saver);
      for (const { label, id } of loneSurrogateIdentifiers(randomUUID())) {
        await expectEachRefused([
          [`task id ${label}`, () => saver.putWrites(c.config, [["x", 1]], id)],
          [`task path ${label}`, () => saver.putWrites(c.config, [["x", 1]], "task-1", id)],
          [`channel ${label}`, () => saver.putWrites(c.config, [[id, 1]], "task-1")],
          [
            `channel ${label} after a well-formed write in the same call`,
            () =>
              saver.putWrites(
                c.config,
                [
                  ["fine", 1],
                  [id, 2],
                ],
                "task-2",
              ),
          ],
        ]);
      }
      await expectUntouched(saver, threadId, c.checkpoint.id);
      await expectVictimIntact();
    });

    it("well-formed neighbours (U+FFFD, a surrogate pair) are accepted and stay distinct threads", async () => {
      const saver = h.saver();
      const ids = wellFormedNeighbours(randomUUID()).map((x) => x.id);
      for (const id of ids) {
        const [c] = await putChain(saver, id, 1, { values: () => ({ id }) });
        expect(c!.config.configurable?.thread_id, show(id)).toBe(id);
        await saver.putWrites(c!.config, [["who", id]], "task-1");
      }
      for (const id of ids) {
        const tuple = await saver.getTuple(threadConfig(id));
        expect(tuple?.checkpoint.channel_values, show(id)).toEqual({ id });
        expect(tuple?.config.configurable?.thread_id, show(id)).toBe(id);
        expect(tuple?.pendingWrites, show(id)).toEqual([["task-1", "who", id]]);
        expect(await listAll(saver, threadConfig(id)), show(id)).toHaveLength(1);
      }
      const [gone, ...kept] = ids;
      await saver.deleteThread(gone!);
      expect(await saver.getTuple(threadConfig(gone!))).toBeUndefined();
      for (const id of kept) {
        expect(
          (await saver.getTuple(threadConfig(id)))?.checkpoint.channel_values,
          `${show(id)} after deleting ${show(gone!)}`,
        ).toEqual({ id });
        await saver.deleteThread(id);
      }
      await expectVictimIntact();
    });

    it("a workflow on a thread id with a lone surrogate is refused before anything is stored", async () => {
      const counted = countingSaver(h.saver());
      let ran = 0;
      const step = task("step", async () => ++ran);
      const workflow = entrypoint({ name: "surrogateThread", checkpointer: counted.saver }, () =>
        step(),
      );
      const u = randomUUID();
      const ill = loneSurrogateIdentifiers(u);
      const neighbours = wellFormedNeighbours(u);
      for (const { label, id } of ill) {
        const config = { configurable: { thread_id: id } };
        const error = await workflow.invoke("go", config).catch((e: unknown) => e);
        expect(error, `invoke on ${label}`).toBeInstanceOf(InvalidIdentifierError);
        const state = await workflow.getState(config).catch((e: unknown) => e);
        expect(state, `getState on ${label}`).toBeInstanceOf(InvalidIdentifierError);
      }
      expect(ran, "task bodies run").toBe(0);
      expect(counted.calls.put, "checkpoints put").toBe(0);
      expect(counted.calls.putWrites, "writes put").toBe(0);
      for (const { label, id } of neighbours) {
        expect(await h.saver().getTuple(threadConfig(id)), label).toBeUndefined();
      }
      await expectVictimIntact();
    });

    it("task() and entrypoint() refuse a name with a lone surrogate with InvalidArgumentError naming it", () => {
      const fn = async () => 1;
      const refusals: [string, () => unknown][] = [
        ["a\ud800", () => task("a\ud800", fn)],
        ["\udc00a", () => task({ name: "\udc00a" }, fn)],
        ["wf\udbff", () => entrypoint({ name: "wf\udbff", checkpointer: h.saver() }, fn)],
      ];
      for (const [name, define] of refusals) {
        let error: unknown;
        try {
          define();
        } catch (e) {
          error = e;
        }
        expect(error, `defining ${show(name)}`).toBeInstanceOf(InvalidArgumentError);
        expect((error as SavepointError).code).toBe("INVALID_ARGUMENT");
        expect((error as Error).message, "the error names the name").toContain(
          JSON.stringify(name),
        );
      }
      // Their well-formed neighbours are fine.
      expect(() => task("a\ufffd", fn)).not.toThrow();
      expect(() => task("a\udbff\udc00", fn)).not.toThrow();
    });
  });
}
