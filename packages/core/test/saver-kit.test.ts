import { describe, expect, it } from "vitest";
import {
  checkIdentifier,
  checkpointConfig,
  InvalidArgumentError,
  InvalidIdentifierError,
  indexWrites,
  isWellFormedText,
  listLimit,
  matchesMetadataFilter,
  namespaceOf,
  nextUniqueVersion,
  optionalCheckpointId,
  quote,
  requireThreadId,
  tupleOf,
} from "../src/index.js";

describe("saver kit: identifiers", () => {
  it("refuses lone surrogates, which UTF-8 storage would collapse into one id", () => {
    for (const bad of ["X\ud800", "X\udc00", "\udbffX", "a\ud800\ud800"]) {
      expect(isWellFormedText(bad)).toBe(false);
      expect(() => requireThreadId({ configurable: { thread_id: bad } }, "getTuple")).toThrow(
        InvalidIdentifierError,
      );
      expect(() =>
        namespaceOf({ configurable: { thread_id: "t", checkpoint_ns: bad } }, "put"),
      ).toThrow(/lone UTF-16 surrogate/);
    }
    for (const good of ["X\ufffd", "🎉", "X\ud83c\udf89", "", "plain"]) {
      expect(isWellFormedText(good)).toBe(true);
    }
  });

  it("names the method and the field, and says what to pass", () => {
    expect(() => requireThreadId({}, "getTuple")).toThrow(
      /getTuple: configurable\.thread_id undefined is not accepted: pass a non-empty string/,
    );
    expect(() => checkIdentifier("putWrites: task_id", 7)).toThrow(InvalidIdentifierError);
    expect(checkIdentifier("task_path", "", { allowEmpty: true })).toBe("");
    expect(namespaceOf({ configurable: { checkpoint_ns: null as never } }, "list")).toBe("");
    expect(() => namespaceOf({ configurable: { checkpoint_ns: 7 as never } }, "list")).toThrow(
      InvalidIdentifierError,
    );
    expect(optionalCheckpointId({ configurable: { checkpoint_id: "" } }, "getTuple")).toBe(
      undefined,
    );
  });

  it("quotes user input escaped and truncated, and never throws on odd types", () => {
    expect(quote("a\n[ERROR] forged")).toBe('"a\\n[ERROR] forged"');
    expect(quote("x".repeat(10_000)).length).toBeLessThan(100);
    expect(quote(1n)).toBe("1n");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(quote(cyclic)).toBe("[object Object]");
    expect(quote(Symbol("s"))).toBe("a symbol");
    const error = new InvalidIdentifierError("thread_id", `${"y".repeat(1_000_000)}\n[ERROR]`, "r");
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).not.toContain("\n");
    expect(() => new InvalidIdentifierError("thread_id", 1n, "r")).not.toThrow();
  });
});

describe("saver kit: configs, writes, listing", () => {
  it("builds configs and tuples with a parent config only when there is a parent", () => {
    expect(checkpointConfig("t", "", "c")).toEqual({
      configurable: { thread_id: "t", checkpoint_ns: "", checkpoint_id: "c" },
    });
    const base = {
      threadId: "t",
      ns: "n",
      checkpointId: "2",
      checkpoint: {} as never,
      metadata: undefined,
      pendingWrites: [],
    };
    expect(tupleOf({ ...base, parentId: null }).parentConfig).toBeUndefined();
    expect(tupleOf({ ...base, parentId: "1" }).parentConfig?.configurable?.checkpoint_id).toBe("1");
  });

  it("indexes writes: special channels at fixed indexes, the last of a repeated one kept", () => {
    expect(
      indexWrites([
        ["a", 1],
        ["__error__", "first"],
        ["b", 2],
        ["__error__", "second"],
      ]),
    ).toEqual([
      { idx: 0, channel: "a", value: 1, replaces: false },
      { idx: -1, channel: "__error__", value: "second", replaces: true },
      { idx: 2, channel: "b", value: 2, replaces: false },
    ]);
  });

  it("counts list limits one way: fractions round up, nothing for zero, negative or NaN", () => {
    expect(listLimit(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(listLimit(1.5)).toBe(2);
    expect(listLimit(0)).toBe(0);
    expect(listLimit(-3)).toBe(0);
    expect(listLimit(Number.NaN)).toBe(0);
    expect(() => listLimit("10")).toThrow(InvalidArgumentError);
  });

  it("matches a Date filter only against the same instant", () => {
    const metadata = { at: new Date(1000), tags: ["a"], nested: { n: 1 } };
    expect(matchesMetadataFilter(metadata, { at: new Date(1000) })).toBe(true);
    expect(matchesMetadataFilter(metadata, { at: new Date(2000) })).toBe(false);
    expect(matchesMetadataFilter(metadata, { at: 1000 })).toBe(false);
    expect(matchesMetadataFilter(metadata, { nested: { n: 1 } })).toBe(true);
    expect(matchesMetadataFilter(metadata, { nested: {} })).toBe(false);
    expect(matchesMetadataFilter(metadata, { missing: undefined })).toBe(false);
  });
});

describe("saver kit: versions", () => {
  it("counts up, sorts as text, and never repeats", () => {
    const seen = new Set<string>();
    let current: string | undefined;
    for (let i = 1; i <= 1_000; i++) {
      const next = nextUniqueVersion(current);
      expect(Number.parseInt(next, 10)).toBe(i);
      if (current !== undefined) expect(next > current).toBe(true);
      expect(seen.has(next)).toBe(false);
      seen.add(next);
      current = next;
    }
    // Two forks from one version get different versions with the same counter.
    expect(nextUniqueVersion("0000000000000007.x")).not.toBe(
      nextUniqueVersion("0000000000000007.x"),
    );
  });

  it("sorts after a version written with LangGraph's 32-digit padding", () => {
    for (const old of [`${"0".repeat(31)}1.4f9c2b7a1d3e5`, `${"0".repeat(29)}999.zz`, 41]) {
      const next = nextUniqueVersion(old);
      expect(Number.parseInt(next, 10)).toBe(Number.parseInt(String(old), 10) + 1);
      if (typeof old === "string") expect(next > old).toBe(true);
    }
  });
});

describe("names the runtime stores", () => {
  it("refuses task and entrypoint names holding a lone surrogate, up front", async () => {
    const { entrypoint, task, InvalidArgumentError: Invalid } = await import("../src/index.js");
    expect(() => task("a\ud800", async () => 1)).toThrow(Invalid);
    expect(() => task("a\ud800", async () => 1)).toThrow(/lone UTF-16 surrogate/);
    expect(() => entrypoint({ name: "\udc00wf" }, async () => 1)).toThrow(Invalid);
    expect(() => task("ok\ud83c\udf89", async () => 1)).not.toThrow();
  });
});
