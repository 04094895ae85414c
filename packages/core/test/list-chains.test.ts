import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import {
  CorruptValueError,
  defaultSerializer,
  joinListChain,
  LIST_CHAIN_LIMIT,
  ListChains,
  SavepointSerializer,
} from "../src/index.js";

const where = { threadId: "t", ns: "", checkpointId: "c" };

function chat(n: number) {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0
      ? new HumanMessage({ content: `question ${i}`, id: `h${i}` })
      : i % 3 === 1
        ? new AIMessage({
            content: `answer ${i}`,
            tool_calls: [{ id: `call${i}`, name: "look", args: { q: i } }],
          })
        : new ToolMessage({ content: `result ${i}`, tool_call_id: `call${i - 1}` }),
  );
}

describe("ListChains", () => {
  it("a full copy's text is exactly what the serializer writes for the whole list", () => {
    const chains = new ListChains(defaultSerializer);
    const lists: unknown[][] = [
      chat(12),
      Array.from({ length: 10 }, (_, i) => ({ i, at: new Date(i), big: BigInt(i), u: undefined })),
      Array.from({ length: 9 }, (_, i) => [i, "x", null, { $sp: "escaped key" }]),
      Array.from({ length: 8 }, (_, i) => (i % 2 ? new Map([[i, new Set([i])]]) : -0)),
    ];
    for (const list of lists) {
      const write = chains.encode("t", "", undefined, "messages", 1, list, "v")!;
      expect(write.base).toBeUndefined();
      expect(write.text).toBe(defaultSerializer.encode(list));
    }
  });

  it("stores the tail on the parent's version when the prefix is unchanged, whole otherwise", () => {
    const chains = new ListChains(defaultSerializer);
    const list = chat(10);
    const first = chains.encode("t", "", undefined, "messages", 1, list, "v")!;
    chains.committed(
      "t",
      "",
      undefined,
      "c1",
      { messages: 1 },
      { messages: 1 },
      new Map([["messages", first]]),
    );
    const longer = [...list, new AIMessage("more")];
    const tail = chains.encode("t", "", "c1", "messages", 2, longer, "v")!;
    expect(tail).toMatchObject({ base: "1", offset: 10 });
    const joined = joinListChain(
      [
        { value: defaultSerializer.decode(tail.text), offset: 10 },
        { value: defaultSerializer.decode(first.text) },
      ],
      where,
    );
    expect(defaultSerializer.encode(joined)).toBe(defaultSerializer.encode(longer));
    // Another parent (a fork from an older checkpoint): whole.
    expect(chains.encode("t", "", "c0", "messages", 2, longer, "v")!.base).toBeUndefined();
    // An element changed in place since it was stored: whole.
    (list[4] as AIMessage).content = "changed in place";
    expect(chains.encode("t", "", "c1", "messages", 2, longer, "v")!.base).toBeUndefined();
    // A shorter list, and the same version sent again: whole.
    expect(
      chains.encode("t", "", "c1", "messages", 2, list.slice(0, 9), "v")!.base,
    ).toBeUndefined();
    expect(chains.encode("t", "", "c1", "messages", 1, longer, "v")!.base).toBeUndefined();
  });

  it("proves the prefix by text only up to a whole element: a longer last element is no prefix", () => {
    const serde = new SavepointSerializer();
    let flip = 0;
    // A codec that writes one value two ways: its tail never matches the whole list's text.
    class Fickle {}
    serde.register({
      name: "test.Fickle",
      class: Fickle,
      encode: () => flip++,
      decode: () => new Fickle(),
    });
    const cases: [unknown[], unknown[]][] = [
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [1, 2, 3, 4, 5, 6, 7, 89, 9],
      ],
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [1, 2, 3, 4, 5, 6, 7, 8.5, 9],
      ],
      [
        ["a", "b", "c", "d", "e", "f", "g", "h"],
        ["a", "b", "c", "d", "e", "f", "g", "h,i"],
      ],
      [
        [{ a: 1 }, 2, 3, 4, 5, 6, 7, [8]],
        [{ a: 1 }, 2, 3, 4, 5, 6, 7, [8, 9]],
      ],
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [1, 2, 3, 4, 5, 6, 7, 8, new Fickle()],
      ],
    ];
    for (const [stored, next] of cases) {
      const chains = new ListChains(serde);
      const first = chains.encode("t", "", undefined, "l", 1, stored, "v")!;
      chains.committed("t", "", undefined, "c1", { l: 1 }, { l: 1 }, new Map([["l", first]]));
      const write = chains.encode("t", "", "c1", "l", 2, next, "v")!;
      expect(write.base).toBeUndefined();
      // Stored whole: the list's own text (a Fickle's differs each time it is encoded).
      if (!next.some((x) => x instanceof Fickle)) expect(write.text).toBe(serde.encode(next));
    }
    // The same list again at a new version: an empty tail on it.
    const chains = new ListChains(serde);
    const list = [1, 2, 3, 4, 5, 6, 7, 8];
    const first = chains.encode("t", "", undefined, "l", 1, list, "v")!;
    chains.committed("t", "", undefined, "c1", { l: 1 }, { l: 1 }, new Map([["l", first]]));
    expect(chains.encode("t", "", "c1", "l", 2, [...list], "v")).toMatchObject({
      base: "1",
      offset: 8,
      text: "[]",
    });
  });

  it("extends the version a lowest-bit jump back, stores a full copy when a read would follow more than `limit` links, and carries unchanged lists to the child", () => {
    const chains = new ListChains(new SavepointSerializer(), { limit: 3 });
    let list = chat(8);
    let parent: string | undefined;
    const bases: (string | undefined)[] = [];
    for (let i = 1; i <= 9; i++) {
      list = [...list, new HumanMessage(`m${i}`)];
      const write = chains.encode("t", "", parent, "messages", i, list, "v")!;
      bases.push(write.base);
      chains.committed(
        "t",
        "",
        parent,
        `c${i}`,
        { messages: i },
        { messages: i },
        new Map([["messages", write]]),
      );
      // A checkpoint that changes another channel only keeps the list as a base.
      chains.committed(
        "t",
        "",
        `c${i}`,
        `d${i}`,
        { messages: i, other: 1 },
        { other: 1 },
        new Map(),
      );
      parent = `d${i}`;
    }
    // limit 3: jumps of at most 2; the version at position 7 would need a fourth link.
    expect(bases).toEqual([undefined, "1", "1", "3", "3", "5", "5", undefined, "8"]);
    expect(LIST_CHAIN_LIMIT).toBeGreaterThan(3);
  });

  // Puts a list grown by one element per put through `chains`, as a saver
  // would, keeping each version's stored text and base; `change` may change
  // an element already stored in place. Every `check` puts, the head read
  // back from the stored links must be the list exactly.
  function growChain(
    chains: ListChains,
    puts: number,
    element: (i: number) => unknown,
    change: (list: unknown[], i: number) => void,
    check: number,
  ) {
    const stored = new Map<string, { text: string; base?: string; offset: number }>();
    let list: unknown[] = Array.from({ length: 8 }, (_, i) => element(-i - 1));
    let parent: string | undefined;
    const texts: number[] = [];
    const links: number[] = [];
    const wholeAt: number[] = [];
    for (let i = 1; i <= puts; i++) {
      list = [...list, element(i)];
      change(list, i);
      const write = chains.encode("t", "", parent, "l", i, list, "v")!;
      stored.set(String(i), { text: write.text, base: write.base, offset: write.offset });
      if (write.base === undefined) wholeAt.push(i);
      texts.push(write.text.length);
      chains.committed("t", "", parent, `c${i}`, { l: i }, { l: i }, new Map([["l", write]]));
      parent = `c${i}`;
      const chain = [];
      for (let v: string | undefined = String(i); v !== undefined; v = stored.get(v)!.base) {
        chain.push(stored.get(v)!);
      }
      links.push(chain.length - 1);
      if (i % check === 0) {
        const read = chain.map((row) => {
          const value = defaultSerializer.decode(row.text);
          return row.base === undefined ? { value } : { value, offset: row.offset };
        });
        expect(defaultSerializer.encode(joinListChain(read, where))).toBe(
          defaultSerializer.encode(list),
        );
      }
    }
    return { texts, links, wholeAt };
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it("a long chain: a full copy only when a read would pass `limit` links, and a put stores about as much late as early", () => {
    const element = (i: number) => ({ n: i, text: `message number ${i}` });
    const { texts, links, wholeAt } = growChain(
      new ListChains(defaultSerializer),
      4000,
      element,
      () => {},
      100,
    );
    expect(Math.max(...links)).toBe(LIST_CHAIN_LIMIT);
    // The first put, and one when the chain reached the limit (not one every `limit` puts).
    expect(wholeAt).toHaveLength(2);
    const size = defaultSerializer.encode(element(1000)).length;
    // Puts 200-700 and 3,000-3,500 store a few elements each, and about as many.
    expect(mean(texts.slice(3000, 3500))).toBeLessThan(8 * size);
    expect(mean(texts.slice(3000, 3500))).toBeLessThan(1.3 * mean(texts.slice(200, 700)));
  });

  it("a chain of messages changed in place now and then still reads back exactly", () => {
    const element = (i: number) =>
      i % 2 === 0
        ? new HumanMessage({ content: `question ${i}`, id: `h${i}` })
        : new AIMessage({
            content: `answer ${i}`,
            tool_calls: [{ id: `c${i}`, name: "f", args: { i } }],
          });
    const { links, wholeAt } = growChain(
      new ListChains(defaultSerializer, { limit: 8 }),
      400,
      element,
      (list, i) => {
        // An element deep in the stored prefix, changed in place.
        if (i % 97 === 0)
          (list[Math.floor(list.length / 3)] as HumanMessage).content = `changed ${i}`;
        const answer = list.findLast((m) => m instanceof AIMessage) as AIMessage;
        if (i % 89 === 0) answer.tool_calls![0]!.args = { changed: i };
      },
      3,
    );
    expect(Math.max(...links)).toBe(8);
    // Each change inside the stored prefix made that put store the list whole.
    expect(wholeAt).toEqual(expect.arrayContaining([97, 194, 291, 388]));
  });

  it("leaves out what it cannot store as a list, and forgets within its budget", () => {
    const chains = new ListChains(defaultSerializer, { budget: 200 });
    expect(chains.encode("t", "", undefined, "c", 1, "text", "v")).toBeUndefined();
    expect(chains.encode("t", "", undefined, "c", 1, [1, 2], "v")).toBeUndefined();
    const holes = new Array(10);
    holes[3] = 1;
    expect(chains.encode("t", "", undefined, "c", 1, holes, "v")).toBeUndefined();
    expect(
      chains.encode(
        "t",
        "",
        undefined,
        "c",
        1,
        Array(9).fill(() => 1),
        "v",
      ),
    ).toBeUndefined();
    const big = Array.from({ length: 10 }, (_, i) => "x".repeat(30) + i);
    const write = chains.encode("t", "", undefined, "c", 1, big, "v")!;
    chains.committed("t", "", undefined, "c1", { c: 1 }, { c: 1 }, new Map([["c", write]]));
    expect(chains.encode("t", "", "c1", "c", 2, [...big, "y"], "v")!.base).toBeUndefined();
  });

  it("joinListChain refuses a chain that does not fit together", () => {
    expect(() => joinListChain([{ value: ["c"], offset: 2 }], where)).toThrow(CorruptValueError);
    expect(() =>
      joinListChain([{ value: ["c"], offset: 3 }, { value: ["a", "b"] }], where),
    ).toThrow(CorruptValueError);
    expect(joinListChain([{ value: ["c"], offset: 2 }, { value: ["a", "b"] }], where)).toEqual([
      "a",
      "b",
      "c",
    ]);
  });
});
