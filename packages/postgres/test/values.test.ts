import { defaultSerializer } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { fromJsonb, toJsonb, ValueCodec } from "../src/values.js";
import { ForeignSerializer } from "./saver-cases.js";

// What Postgres' jsonb output does to the escaped text: control characters
// come back as lowercase \u00XX escapes, everything else as itself.
function throughJsonb(json: string): string {
  return JSON.stringify(JSON.parse(json));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("jsonb escaping of metadata", () => {
  const tricky = [
    "plain",
    "nul \u0000 inside",
    "\u0001 escape char itself",
    "\u0001\u0002 looks escaped",
    "lone high \ud83d and low \ude00",
    "pair 😀 stays",
    "backslash \\u0000 literal text",
    "\\\\u0001 two backslashes",
    "\\",
    "",
  ];

  it("is one-to-one and leaves no NUL or unpaired surrogate for jsonb", () => {
    const seen = new Set<string>();
    for (const s of tricky) {
      const escaped = toJsonb(JSON.stringify(s));
      const stored = JSON.parse(escaped) as string;
      expect(stored).not.toContain("\u0000");
      expect(stored).not.toMatch(LONE_SURROGATE);
      expect(seen.has(escaped)).toBe(false);
      seen.add(escaped);
      expect(JSON.parse(fromJsonb(throughJsonb(escaped)))).toBe(s);
    }
  });

  it("escapes keys and nested values of metadata the same way as filters", () => {
    const codec = new ValueCodec(defaultSerializer);
    const metadata = { "k\u0000": { v: "x\u0000\ud800" }, list: tricky };
    const text = codec.metadataToJsonb(metadata);
    expect(codec.metadataFromJsonb(throughJsonb(text))).toEqual(metadata);
    const [whole, entries] = codec.filterToJsonb({ "k\u0000": { v: "x\u0000\ud800" } });
    expect(text).toContain(whole.slice(1, -1));
    expect(entries[0]![0]).toBe("k\u0001\u0002");
  });
});

describe("value codec", () => {
  it("stores Savepoint's serializer as JSON text and others as base64 with their type", async () => {
    const fast = new ValueCodec(defaultSerializer);
    expect(fast.encodeSync({ a: 1 })).toEqual(["savepoint-json", '{"a":1}']);
    const foreign = new ValueCodec(new ForeignSerializer());
    expect(foreign.encodeSync(1)).toBeUndefined();
    const [type, text] = await foreign.encode({ a: [1] });
    expect(type).toBe("foreign-json");
    expect(Buffer.from(text, "base64").toString()).toBe('{"wrapped":{"a":[1]}}');
    expect(await foreign.decode(type, text)).toEqual({ a: [1] });
  });
});
