// The LangGraph program suite checked on its own: it passes on LangGraph's
// MemorySaver (the reference itself), it tells savers with a known defect
// apart from the reference, its normaliser hides only ids and timestamps,
// and the package's main entry never loads LangChain.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  type BaseCheckpointSaver,
  type CheckpointTuple,
  MemorySaver,
  Send,
} from "@langchain/langgraph";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  describeLangGraphPrograms,
  LANGGRAPH_PROGRAMS,
  type LangGraphProgramName,
  normalizeForComparison,
} from "../src/langgraph/index.js";

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));

describeLangGraphPrograms({ name: "LangGraph's MemorySaver", create: () => new MemorySaver() });

/** Forgets the writes saved against a checkpoint (resumes and finished tasks). */
class ForgetsWrites extends MemorySaver {
  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const tuple = await super.getTuple(config);
    return tuple && { ...tuple, pendingWrites: [] };
  }
}

/** Ignores a checkpoint_id in list's config (lists the whole namespace). */
class ListsEverything extends MemorySaver {
  override async *list(
    config: RunnableConfig,
    options?: Parameters<MemorySaver["list"]>[1],
  ): AsyncGenerator<CheckpointTuple> {
    const { checkpoint_id: _ignored, ...rest } = config.configurable ?? {};
    yield* super.list({ ...config, configurable: rest }, options);
  }
}

/** Gives channel values back as JSON data: messages lose their class. */
class JsonValues extends MemorySaver {
  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const tuple = await super.getTuple(config);
    if (!tuple) return tuple;
    const values = JSON.parse(JSON.stringify(tuple.checkpoint.channel_values));
    return { ...tuple, checkpoint: { ...tuple.checkpoint, channel_values: values } };
  }
}

// What the suite would say about `saver` on `name`: the first failure, or "ok".
async function verdict(name: LangGraphProgramName, saver: BaseCheckpointSaver): Promise<string> {
  const program = LANGGRAPH_PROGRAMS.find((p) => p.name === name)!;
  try {
    const reference = normalizeForComparison(await program.run(new MemorySaver(), "ref"));
    const actual = normalizeForComparison(await program.run(saver, "actual"));
    expect(actual).toStrictEqual(reference);
    program.check(actual);
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("the LangGraph programs tell a defective saver apart", () => {
  it("lists every program once, in order", () => {
    expect(LANGGRAPH_PROGRAMS.map((p) => p.name)).toStrictEqual([
      "chat",
      "tools",
      "interrupt",
      "send",
      "subgraph",
      "time-travel",
      "parallel",
      "history",
    ]);
  });

  it.each(["interrupt", "send", "subgraph"] as const)(
    "a saver that loses pending writes fails %s",
    async (name) => {
      expect(await verdict(name, new ForgetsWrites())).not.toBe("ok");
    },
  );

  it("a saver whose list ignores the config's checkpoint_id fails subgraph", async () => {
    expect(await verdict("subgraph", new ListsEverything())).not.toBe("ok");
  });

  it("a saver that gives messages back as plain data fails chat", async () => {
    expect(await verdict("chat", new JsonValues())).not.toBe("ok");
  });
});

describe("normalizeForComparison", () => {
  it("numbers ids by first appearance, in values and in keys, and hides timestamps", () => {
    const a = "1f0c9c3e-0d7a-6b52-8001-25e1d0b6c8aa";
    const b = "3f2f5a41-0cc5-510d-a533-3c430ef5803b";
    expect(
      normalizeForComparison({
        config: { configurable: { checkpoint_id: a, checkpoint_ns: `child:${b}` } },
        parent: { checkpoint_map: { [`child:${b}`]: a } },
        createdAt: "2025-01-01T00:00:00.000Z",
        interrupt: { id: "0123456789abcdef0123456789abcdef", value: 1 },
      }),
    ).toStrictEqual({
      config: { configurable: { checkpoint_id: "<id 1>", checkpoint_ns: "child:<id 2>" } },
      createdAt: "<time>",
      interrupt: { id: "<id 3>", value: 1 },
      parent: { checkpoint_map: { "child:<id 2>": "<id 1>" } },
    });
  });

  it("keeps a message's class, type and fields, and a Send's node and arguments", () => {
    const message = new AIMessage({
      content: "hi",
      id: "run-5d3b9f1e-6c2a-4a51-9d7e-0b8f2a4c6e10",
      tool_calls: [{ id: "call_1", name: "t", args: { x: 1 }, type: "tool_call" }],
    });
    const [normalized] = normalizeForComparison([message]) as [Record<string, unknown>];
    expect(normalized).toMatchObject({
      class: "AIMessage",
      type: "ai",
      content: "hi",
      id: "run-<id 1>",
      tool_calls: [{ id: "call_1", name: "t", args: { x: 1 }, type: "tool_call" }],
    });
    expect(normalizeForComparison(new HumanMessage("a"))).not.toStrictEqual(
      normalizeForComparison({ content: "a" }),
    );
    expect(normalizeForComparison(new Send("worker", { topic: "cats" }))).toStrictEqual({
      Send: { node: "worker", args: { topic: "cats" } },
    });
  });
});

describe("the main entry", () => {
  it("never imports LangChain or LangGraph (only the langgraph subpath does)", () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
        if (specifier.startsWith(".")) {
          visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
        } else if (specifier.startsWith("@langchain/")) {
          outside.push(`${file.slice(packageRoot.length + 1)} imports ${specifier}`);
        }
      }
    };
    visit(join(packageRoot, "src", "index.ts"));
    expect(seen.size).toBeGreaterThan(10);
    expect(outside).toStrictEqual([]);
    expect([...seen].some((file) => file.includes(`${join("src", "langgraph")}`))).toBe(false);
  });
});
