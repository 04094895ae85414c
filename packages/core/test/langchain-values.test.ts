// LangChain messages and documents, and LangGraph's Send and Command, through
// the default serializer: the same class, the same fields, first run equal to replay.

import { Document } from "@langchain/core/documents";
import {
  AIMessage,
  AIMessageChunk,
  ChatMessage,
  FunctionMessage,
  HumanMessage,
  RemoveMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { Command as LangGraphCommand, Send } from "@langchain/langgraph";
import { DeltaSnapshot } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import {
  CorruptValueError,
  loadTyped,
  SavepointSerializer,
  UnserializableValueError,
} from "../src/index.js";

const serde = new SavepointSerializer();

function fields(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value));
}

function expectSame(back: unknown, original: object): void {
  expect(back).toBeInstanceOf(original.constructor);
  expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(original));
  expect(fields(back as object)).toEqual(fields(original));
}

describe("LangChain and LangGraph values", () => {
  const samples = () => [
    new AIMessage({
      content: "answer",
      id: "run-1",
      tool_calls: [{ name: "search", args: { q: "cats", n: 2 }, id: "call-1", type: "tool_call" }],
      additional_kwargs: { refusal: null },
      response_metadata: { model_name: "fake", finish_reason: "tool_calls" },
      usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    }),
    new HumanMessage({ content: [{ type: "text", text: "hi" }], name: "ann", id: "h1" }),
    new SystemMessage("be brief"),
    new ToolMessage({
      content: "42",
      tool_call_id: "call-1",
      artifact: { rows: [1, 2] },
      status: "success",
    }),
    new FunctionMessage({ content: "{}", name: "f" }),
    new ChatMessage({ content: "c", role: "critic" }),
    new RemoveMessage({ id: "h1" }),
    new AIMessageChunk({
      content: "par",
      tool_call_chunks: [
        { name: "search", args: '{"q":', id: "call-2", index: 0, type: "tool_call_chunk" },
      ],
    }),
    new Document({ pageContent: "page", metadata: { source: "a.txt", at: 3 }, id: "doc-1" }),
    new Send("worker", { item: 1, when: new Date(0) }),
    new LangGraphCommand({
      resume: { ok: true },
      goto: ["a", new Send("b", { x: 1 })],
      update: { k: 1 },
    }),
    new DeltaSnapshot([new HumanMessage("seed")]),
  ];

  it("round-trip through encode/decode and canonicalize as the same class with the same fields", () => {
    for (const original of samples()) {
      expectSame(serde.decode(serde.encode(original)), original);
      expectSame(serde.canonicalize(original), original);
    }
  });

  it("keep messages nested in arrays, maps and plain objects, and their own nested values exact", () => {
    const [ai, human] = samples() as [AIMessage, HumanMessage];
    const value = { messages: [human, ai], byId: new Map([["run-1", ai]]) };
    const back = serde.canonicalize(value);
    expectSame(back.messages[1]!, ai);
    expectSame(back.byId.get("run-1")!, ai);
    expect((back.messages[1] as AIMessage).tool_calls?.[0]?.args).toEqual({ q: "cats", n: 2 });
    const replayed = serde.decode(serde.encode(value)) as typeof value;
    expect(fields(replayed.messages[1]!)).toEqual(fields(back.messages[1]!));
  });

  it("store an allowlisted name, never a module path or a constructor", () => {
    const text = serde.encode(samples()[0]);
    expect(text).toContain('"name":"lc:AIMessage"');
    expect(text).not.toContain("@langchain");
    expect(text).not.toContain('langchain_core","messages","AIMessage"]}');
  });

  it("refuse a stored class name outside the allowlist, naming it", () => {
    const forged = '{"$sp":"known","name":"lc:ChildProcess","v":{}}';
    expect(() => serde.decode(forged)).toThrow(CorruptValueError);
    expect(() => serde.decode(forged)).toThrow(/"lc:ChildProcess".*not one Savepoint revives/);
  });

  it("never revive LangChain's own serialized form: it is plain data", () => {
    const lcJson = JSON.stringify((samples()[0] as AIMessage).toJSON());
    const back = serde.decode(lcJson) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.lc).toBe(1);
  });

  it("refuse a subclass of a known class, which would come back as its base", () => {
    class MyMessage extends AIMessage {}
    expect(() => serde.encode(new MyMessage("x"))).toThrow(UnserializableValueError);
  });

  it("decode through loadTyped in a process that has not seen the class yet (loads the package)", async () => {
    // The same text as a fresh process would read it: the class comes from the installed package.
    const text = serde.encode(new ToolMessage({ content: "r", tool_call_id: "t" }));
    const back = await loadTyped(serde, serde.type, text);
    expect(back).toBeInstanceOf(ToolMessage);
  });
});

describe("lc_kwargs, which repeats a LangChain object's own fields", () => {
  const long = "a long model answer. ".repeat(200);
  const message = () =>
    new AIMessage({
      content: long,
      id: "run-9",
      tool_calls: [{ name: "search", args: { q: "cats" }, id: "call-9", type: "tool_call" }],
    });

  it("is stored once: the text holds each field's value one time", () => {
    const text = serde.encode(message());
    expect(text.split(long).length - 1).toBe(1);
    expect(text.split('"call-9"').length - 1).toBe(1);
  });

  it("comes back with every key in order, each entry the very field it repeated", () => {
    const original = message();
    const back = serde.decode(serde.encode(original)) as AIMessage;
    expectSame(back, original);
    expect(Object.keys(back.lc_kwargs)).toEqual(Object.keys(original.lc_kwargs));
    expect(back.lc_kwargs.content).toBe(back.content);
    expect(back.lc_kwargs.tool_calls).toBe(back.tool_calls);
  });

  it("keeps an entry that differs from its field (changed after construction) as its own value", () => {
    const original = message();
    original.content = "edited";
    original.lc_kwargs.extra = { only: "here" };
    const back = serde.decode(serde.encode(original)) as AIMessage;
    expectSame(back, original);
    expect(back.lc_kwargs.content).toBe(long);
    expect(back.content).toBe("edited");
    expect(back.lc_kwargs.extra).toEqual({ only: "here" });
  });

  it("reads what was stored whole before (no key list) exactly as before", () => {
    const original = message();
    const whole = JSON.parse(serde.encode(original)) as Record<string, any>;
    whole.v.lc_kwargs = Object.fromEntries(
      Object.keys(original.lc_kwargs).map((k) => [k, whole.v[k]]),
    );
    delete whole.kw;
    const back = serde.decode(JSON.stringify(whole)) as AIMessage;
    expectSame(back, original);
    expect(back.lc_kwargs).toEqual(original.lc_kwargs);
  });

  it("refuses a damaged key list with CorruptValueError naming the class", () => {
    const stored = JSON.parse(serde.encode(message())) as Record<string, any>;
    const damaged = [
      { ...stored, kw: "content" },
      { ...stored, kw: ["content", "content"] },
      { ...stored, kw: [...stored.kw, "no_such_field"] },
      { ...stored, kw: ["lc_kwargs"] },
      { ...stored, kw: [], v: { ...stored.v, lc_kwargs: { stray: 1 } } },
      { ...stored, v: { ...stored.v, lc_kwargs: [] } },
    ];
    for (const value of damaged) {
      expect(() => serde.decode(JSON.stringify(value))).toThrow(CorruptValueError);
      expect(() => serde.decode(JSON.stringify(value))).toThrow(/AIMessage value: its lc_kwargs/);
    }
  });

  it("still refuses what lc_kwargs cannot hold, naming its path", () => {
    const original = message();
    original.lc_kwargs.callback = () => {};
    expect(() => serde.encode(original)).toThrow(/lc_kwargs\.callback/);
  });
});

describe("a fresh process", () => {
  it("reads a stored message as the installed class, loading @langchain/core itself", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdirSync, mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { pathToFileURL } = await import("node:url");
    const text = serde.encode({
      reply: new AIMessage({ content: "hi", tool_calls: [{ name: "f", args: {}, id: "1" }] }),
    });
    // Under node_modules (found by the package's own resolution, ignored by
    // the linter that may run at the same time), not beside the tests.
    const cache = join(import.meta.dirname, "..", "node_modules", ".cache");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "savepoint-fresh-"));
    const source = pathToFileURL(join(import.meta.dirname, "..", "src", "index.ts")).href;
    try {
      const script = join(dir, "read.mts");
      writeFileSync(
        script,
        [
          `import { defaultSerializer, loadTyped } from ${JSON.stringify(source)};`,
          `const value = (await loadTyped(defaultSerializer, "savepoint-json", ${JSON.stringify(text)})) as any;`,
          // Imported only after decoding: the serializer found the class on its own.
          'const { AIMessage } = await import("@langchain/core/messages");',
          "console.log(JSON.stringify({ isAI: value.reply instanceof AIMessage, content: value.reply.content, calls: value.reply.tool_calls.length }));",
        ].join("\n"),
      );
      const out = execFileSync("npx", ["tsx", "--conditions=@savepoint/source", script], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
        isAI: true,
        content: "hi",
        calls: 1,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("look-alike classes", () => {
  it("a class named Command with lg_name is not saved as LangGraph's Command once LangGraph is loaded", async () => {
    // What the serializer does on its own at the first LangGraph value it sees.
    const { importOptional } = await import("../src/interop/optional.js");
    await importOptional("@langchain/langgraph");
    class Command {
      lg_name = "Command";
      resume = true;
    }
    expect(() => serde.encode(new Command())).toThrow(UnserializableValueError);
    expect(serde.encode(new LangGraphCommand({ resume: 1 }))).toContain('"lg:Command"');
  });
});
