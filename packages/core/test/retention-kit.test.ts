// The saver kit's retention rules: durations, ttl and keep checked with typed
// errors; what prune keeps (newest N, plus the chain a run under way needs).
import { describe, expect, it } from "vitest";
import {
  checkpointsToKeep,
  InvalidArgumentError,
  isWaitingOnInterrupt,
  keepCount,
  parseDuration,
  pruneThreadIds,
  resolveTtl,
  sweepLimit,
} from "../src/index.js";

describe("retention kit", () => {
  it("reads durations in milliseconds or with a unit, and refuses the rest by name", () => {
    expect(parseDuration(1500, "ttl.idle")).toBe(1500);
    expect(parseDuration("45s", "x")).toBe(45_000);
    expect(parseDuration("15m", "x")).toBe(900_000);
    expect(parseDuration("12h", "x")).toBe(43_200_000);
    expect(parseDuration("30d", "x")).toBe(2_592_000_000);
    expect(parseDuration("250ms", "x")).toBe(250);
    for (const bad of [0, -1, Number.NaN, Infinity, "", "10", "3w", "1.5.2h", null, {}]) {
      expect(() => parseDuration(bad, "MemorySaver ttl.idle")).toThrow(InvalidArgumentError);
    }
    expect(() => parseDuration("3w", "MemorySaver ttl.idle")).toThrow(
      /MemorySaver ttl\.idle.*"3w"/,
    );
  });

  it("fills a ttl's defaults and refuses a wrong onExpire or flag", () => {
    expect(resolveTtl(undefined, "S")).toBeUndefined();
    expect(resolveTtl({ idle: "1h" }, "S")).toEqual({
      idleMs: 3_600_000,
      onExpire: "delete",
      includeInterrupted: false,
      refreshOnRead: false,
    });
    expect(() => resolveTtl({ idle: "1h", onExpire: "archive" as "delete" }, "S")).toThrow(
      /onExpire/,
    );
    expect(() =>
      resolveTtl({ idle: "1h", includeInterrupted: "yes" as unknown as boolean }, "S"),
    ).toThrow(/includeInterrupted/);
    expect(() => resolveTtl("1h" as never, "S")).toThrow(InvalidArgumentError);
  });

  it("checks keep, prune's thread ids and sweep's limit", () => {
    expect(keepCount("latest")).toBe(1);
    expect(keepCount(3)).toBe(3);
    for (const bad of [0, -2, 1.5, "all", null])
      expect(() => keepCount(bad as never)).toThrow(/keep/);
    expect(pruneThreadIds(["a", "a", "b"])).toEqual(["a", "b"]);
    expect(() => pruneThreadIds("a")).toThrow(/array of thread ids/);
    expect(sweepLimit(undefined)).toBe(1000);
    expect(() => sweepLimit({ limit: 0 })).toThrow(/limit/);
    expect(() => sweepLimit({ now: Number.NaN })).toThrow(/now/);
  });

  it("keeps the newest N, and the head's chain as deep as its run under way", () => {
    // 1 <- 2 <- 3 <- 4, and a fork 2 <- 5 (the head, newest id).
    const links = [
      { id: "1", parentId: undefined },
      { id: "2", parentId: "1" },
      { id: "3", parentId: "2" },
      { id: "4", parentId: "3" },
      { id: "5", parentId: "2" },
    ];
    expect([...checkpointsToKeep(links, 1, -1)]).toEqual(["5"]);
    expect([...checkpointsToKeep(links, 2, -1)].sort()).toEqual(["4", "5"]);
    // A run two checkpoints deep at the head keeps the head's real ancestors, not the newest ids.
    expect([...checkpointsToKeep(links, 1, 2)].sort()).toEqual(["1", "2", "5"]);
    expect(checkpointsToKeep([], 1, 0).size).toBe(0);
  });

  it("tells a head waiting on an interrupt", () => {
    const tuple = (channel: string) =>
      ({ pendingWrites: [["0:t", channel, 1]] }) as unknown as Parameters<
        typeof isWaitingOnInterrupt
      >[0];
    expect(isWaitingOnInterrupt(tuple("__interrupt__"))).toBe(true);
    expect(isWaitingOnInterrupt(tuple("__return__"))).toBe(false);
    expect(isWaitingOnInterrupt(undefined)).toBe(false);
  });
});
