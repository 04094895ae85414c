import { InvalidArgumentError } from "@savepoint/core";
import { describe, expect, it } from "vitest";
import { threadIndexKey, threadKeys } from "../src/index.js";
import { fromHex, toHex } from "../src/keys.js";
import { HOSTILE_IDS } from "./helpers.js";

// Redis Cluster's rule: the hash tag is what lies between the first "{" and
// the first "}" after it, if that is non-empty; else the whole key.
function hashTag(key: string): string {
  const open = key.indexOf("{");
  if (open < 0) return key;
  const close = key.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

describe("key layout", () => {
  it("gives every key of a thread the thread's hex as hash tag, for hostile ids too", () => {
    const tags = new Set<string>();
    for (const id of HOSTILE_IDS) {
      const keys = threadKeys("savepoint", id);
      expect(keys.all).toHaveLength(8);
      for (const key of keys.all) expect(hashTag(key)).toBe(toHex(id));
      expect(fromHex(keys.threadHex)).toBe(id);
      tags.add(keys.threadHex);
    }
    expect(tags.size).toBe(HOSTILE_IDS.length);
  });

  it("never lets one thread's keys equal or extend another's", () => {
    const all = HOSTILE_IDS.flatMap((id) => threadKeys("p", id).all);
    expect(new Set(all).size).toBe(all.length);
    for (const a of HOSTILE_IDS) {
      for (const b of HOSTILE_IDS) {
        if (a === b) continue;
        const ka = threadKeys("p", a).byNamespace;
        for (const kb of threadKeys("p", b).all)
          expect(kb.startsWith(ka.slice(0, ka.lastIndexOf(":")))).toBe(false);
      }
    }
  });

  it("keeps hex order equal to code-point order", () => {
    const ids = ["a", "ab", "a!b", "\uFFFF", "\u{1F680}", "é", "Z", ""];
    const byCodePoint = [...ids].sort((x, y) => {
      const a = [...x].map((c) => c.codePointAt(0)!);
      const b = [...y].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(a.length, b.length); i++)
        if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    });
    expect(
      [...ids].sort((x, y) => (toHex(x) < toHex(y) ? -1 : toHex(x) > toHex(y) ? 1 : 0)),
    ).toEqual(byCodePoint);
  });

  it("refuses a prefix that would move the hash tag", async () => {
    const { RedisSaver } = await import("../src/index.js");
    for (const prefix of ["a{", "}", "{x}"]) {
      expect(() => new RedisSaver("redis://127.0.0.1:1", { prefix })).toThrow(InvalidArgumentError);
    }
    expect(threadIndexKey("app")).toBe("app:threads");
  });
});
