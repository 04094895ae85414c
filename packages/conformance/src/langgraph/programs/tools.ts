import { AIMessageChunk, HumanMessage, isToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel, FakeStreamingChatModel } from "@langchain/core/utils/testing";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (b) An agent node that calls a tool through ToolNode, then answers. */
export const toolsProgram: LangGraphProgram = {
  name: "tools",
  title:
    "tools: agent → ToolNode → agent → END keeps the tool call, the tool's message and the answer",
  async run(checkpointer, threadId) {
    const calls: string[] = [];
    const getWeather = tool(
      async ({ city }: { city: string }) => {
        calls.push(city);
        return `It is 22 degrees and sunny in ${city}.`;
      },
      {
        name: "get_weather",
        description: "The current weather in a city.",
        // A JSON schema: the suite needs no schema library of its own.
        schema: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    );
    // The model asks for the tool; once the tool has answered, another model
    // writes the reply (each fake model answers one way).
    const planner = new FakeStreamingChatModel({
      sleep: 0,
      chunks: [
        new AIMessageChunk({
          content: "",
          tool_calls: [
            {
              id: "call_weather_1",
              name: "get_weather",
              args: { city: "Paris" },
              type: "tool_call",
            },
          ],
        }),
      ],
    }).bindTools([getWeather]);
    const writer = new FakeListChatModel({ responses: ["It is 22 degrees and sunny in Paris."] });
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => {
        const last = state.messages[state.messages.length - 1];
        const model = last && isToolMessage(last) ? writer : planner;
        return { messages: [await model.invoke(state.messages)] };
      })
      .addNode("tools", new ToolNode([getWeather]))
      .addEdge(START, "agent")
      .addConditionalEdges("agent", toolsCondition, ["tools", END])
      .addEdge("tools", "agent")
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const result = await graph.invoke(
      { messages: [new HumanMessage("What is the weather in Paris?")] },
      config,
    );
    const state = await graph.getState(config);
    const history = await collect(graph.getStateHistory(config));
    return {
      result,
      state,
      history: history.map((s) => ({ next: s.next, values: s.values })),
      calls,
    };
  },
  check(result) {
    const messages = result.state.values.messages;
    expect(messages.map((m: any) => m.class)).toStrictEqual([
      "HumanMessage",
      "AIMessage",
      "ToolMessage",
      "AIMessage",
    ]);
    expect(messages[1].tool_calls).toStrictEqual([
      { id: "call_weather_1", name: "get_weather", args: { city: "Paris" }, type: "tool_call" },
    ]);
    expect(messages[2]).toMatchObject({
      tool_call_id: "call_weather_1",
      name: "get_weather",
      content: "It is 22 degrees and sunny in Paris.",
    });
    expect(messages[3].content).toBe("It is 22 degrees and sunny in Paris.");
    expect(result.result.messages).toStrictEqual(messages);
    expect(result.calls).toStrictEqual(["Paris"]);
    expect(result.history.map((s: any) => s.next)).toStrictEqual([
      [],
      ["agent"],
      ["tools"],
      ["agent"],
      ["__start__"],
    ]);
  },
};
