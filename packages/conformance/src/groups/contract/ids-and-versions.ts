import { type RunnableConfig, SavepointError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { makeCheckpoint, makeMetadata } from "../../fixtures/checkpoints.js";
import type { ContractContext } from "./context.js";

/** Missing thread ids (getTuple: `undefined`; put, putWrites: refused), and `getNextVersion`. */
export function idsAndVersionsTests({ h }: ContractContext): void {
  describe("ids and versions", () => {
    it("a config without thread_id: getTuple returns undefined, put and putWrites are INVALID_IDENTIFIER", async () => {
      const saver = h.saver();
      const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
      // LangGraph's contract: a config that names no thread names no checkpoint.
      // (Savepoint's runtime refuses it itself, with MissingThreadIdError.)
      expect(await saver.getTuple({ configurable: { checkpoint_ns: "" } })).toBeUndefined();
      expect(await saver.getTuple({ configurable: {} })).toBeUndefined();
      expect(await saver.getTuple({})).toBeUndefined();
      const writesConfig = { configurable: { checkpoint_ns: "", checkpoint_id: checkpoint.id } };
      const attempts: [string, () => Promise<unknown>][] = [
        ["put", () => saver.put({ configurable: {} }, checkpoint, makeMetadata(), newVersions)],
        ["put (no configurable)", () => saver.put({}, checkpoint, makeMetadata(), newVersions)],
        ["putWrites", () => saver.putWrites(writesConfig, [["x", 1]], "task")],
      ];
      for (const [name, attempt] of attempts) {
        const err = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(SavepointError);
        expect((err as SavepointError).code, name).toBe("INVALID_IDENTIFIER");
      }
    });

    it("a thread_id that is there but not a non-empty string is INVALID_IDENTIFIER in getTuple too", async () => {
      const saver = h.saver();
      for (const threadId of ["", null, 7] as unknown[]) {
        const config = { configurable: { thread_id: threadId } } as RunnableConfig;
        const err = await saver.getTuple(config).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, `getTuple with thread_id ${JSON.stringify(threadId)}`).toBeInstanceOf(
          SavepointError,
        );
        expect((err as SavepointError).code).toBe("INVALID_IDENTIFIER");
      }
    });

    it("getNextVersion, when present, returns a greater version each time", (ctx) => {
      const saver = h.saver();
      if (!saver.getNextVersion) return ctx.skip("the saver has no getNextVersion (optional)");
      const v1 = saver.getNextVersion(undefined);
      const v2 = saver.getNextVersion(v1);
      const v3 = saver.getNextVersion(v2);
      if (typeof v1 === "number") {
        expect(v1 < (v2 as number) && (v2 as number) < (v3 as number)).toBe(true);
      } else {
        expect(String(v1) < String(v2) && String(v2) < String(v3)).toBe(true);
      }
    });
  });
}
