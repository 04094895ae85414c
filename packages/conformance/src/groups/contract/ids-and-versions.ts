import { SavepointError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { makeCheckpoint, makeMetadata } from "../../fixtures/checkpoints.js";
import type { ContractContext } from "./context.js";

/** Missing thread ids, and `getNextVersion`. */
export function idsAndVersionsTests({ h }: ContractContext): void {
  describe("ids and versions", () => {
    it("rejects a config without thread_id in getTuple and put with INVALID_IDENTIFIER", async () => {
      const { checkpoint, newVersions } = makeCheckpoint({ x: 1 });
      const attempts = [
        () => h.saver().getTuple({ configurable: { checkpoint_ns: "" } }),
        () => h.saver().put({ configurable: {} }, checkpoint, makeMetadata(), newVersions),
      ];
      for (const attempt of attempts) {
        const err = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(SavepointError);
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
