import {
  InvalidArgumentError,
  InvalidIdentifierError,
  type RunnableConfig,
  type SavepointError,
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
import type { ContractContext } from "./context.js";

async function errorOf(op: () => Promise<unknown>): Promise<unknown> {
  try {
    await op();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectCode(
  error: unknown,
  type: typeof InvalidIdentifierError | typeof InvalidArgumentError,
  code: string,
  what: string,
) {
  expect(error, what).toBeInstanceOf(type);
  expect((error as SavepointError).code, what).toBe(code);
}

/**
 * Corners where savers used to disagree, now one rule for all (core's saver
 * kit): a `Date` in a metadata filter, namespaces and thread ids that are not
 * strings, and `limit`s that are not positive integers.
 */
export function saversAgreeTests({ h }: ContractContext): void {
  describe("savers agree", () => {
    it("a Date in a metadata filter matches only the same instant, not another Date, a number or a string", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const instant = new Date("2024-05-06T07:08:09.010Z");
      const t = instant.getTime();
      const stored = [
        { at: new Date(t) },
        { at: new Date(t + 1) },
        { at: t },
        { at: instant.toISOString() },
        { at: new Date(t) },
      ];
      const chain = await putChain(saver, threadId, stored.length, { metadata: (i) => stored[i]! });
      const ids = (...at: number[]) => at.map((i) => chain[i]!.checkpoint.id);
      const filtered = async (at: unknown) =>
        idsOf(await listAll(saver, threadConfig(threadId), { filter: { at } }));

      const same = await listAll(saver, threadConfig(threadId), {
        filter: { at: new Date(t) },
      });
      expect(idsOf(same), "filter on the same instant").toEqual(ids(4, 0));
      for (const tuple of same) expect(tuple.metadata?.at).toBeInstanceOf(Date);
      expect(await filtered(new Date(t + 1)), "filter on another instant").toEqual(ids(1));
      expect(await filtered(new Date(t - 1)), "filter on an instant nobody stored").toEqual([]);
      expect(await filtered(t), "filter on the number").toEqual(ids(2));
      expect(await filtered(instant.toISOString()), "filter on the ISO string").toEqual(ids(3));
    });

    it("a checkpoint_ns that is not a string (7, {}) is InvalidIdentifierError in put, getTuple, list and putWrites", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const [c] = await putChain(saver, threadId, 1);
      for (const ns of [7, {}] as unknown[]) {
        const label = JSON.stringify(ns);
        const config = (extra: Record<string, unknown> = {}) =>
          ({
            configurable: { thread_id: threadId, checkpoint_ns: ns, ...extra },
          }) as unknown as RunnableConfig;
        const { checkpoint, newVersions } = makeCheckpoint({ ns: label });
        const ops: [string, () => Promise<unknown>][] = [
          ["put", () => saver.put(config(), checkpoint, makeMetadata(), newVersions)],
          ["getTuple", () => saver.getTuple(config())],
          ["list", () => listAll(saver, config())],
          [
            "putWrites",
            () =>
              saver.putWrites(config({ checkpoint_id: c!.checkpoint.id }), [["x", 1]], "task-1"),
          ],
        ];
        for (const [method, op] of ops) {
          expectCode(
            await errorOf(op),
            InvalidIdentifierError,
            "INVALID_IDENTIFIER",
            `${method} with checkpoint_ns ${label}`,
          );
        }
      }
      const listed = await listAll(saver, { configurable: { thread_id: threadId } });
      expect(idsOf(listed)).toEqual([c!.checkpoint.id]);
      expect(listed[0]?.pendingWrites ?? []).toEqual([]);
    });

    it("deleteThread(7) is InvalidIdentifierError, and deletes nothing", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      await putChain(saver, threadId, 1);
      expectCode(
        await errorOf(() => saver.deleteThread(7 as unknown as string)),
        InvalidIdentifierError,
        "INVALID_IDENTIFIER",
        "deleteThread(7)",
      );
      expect(await saver.getTuple(threadConfig(threadId))).toBeDefined();
    });

    it("list({ limit }): 1.5 yields 2; 0, a negative number and NaN yield nothing; a non-number is InvalidArgumentError", async () => {
      const saver = h.saver();
      const threadId = h.threadId();
      const chain = await putChain(saver, threadId, 5);
      expect(idsOf(await listAll(saver, threadConfig(threadId), { limit: 1.5 }))).toEqual([
        chain[4]!.checkpoint.id,
        chain[3]!.checkpoint.id,
      ]);
      for (const limit of [0, -1, -0.5, Number.NaN]) {
        expect(await listAll(saver, threadConfig(threadId), { limit }), `limit ${limit}`).toEqual(
          [],
        );
      }
      for (const limit of ["2", true] as unknown[]) {
        expectCode(
          await errorOf(() => listAll(saver, threadConfig(threadId), { limit: limit as number })),
          InvalidArgumentError,
          "INVALID_ARGUMENT",
          `limit ${JSON.stringify(limit)}`,
        );
      }
    });
  });
}
