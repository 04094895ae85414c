import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { expect } from "vitest";
import type { LangGraphProgram } from "../types.js";
import { collect, threadConfig } from "./support.js";

/** (a) A MessagesAnnotation chat: a model node, two turns on one thread. */
export const chatProgram: LangGraphProgram = {
  name: "chat",
  title:
    "chat: two turns of a MessagesAnnotation graph keep the whole conversation (every message's class, content and id)",
  async run(checkpointer, threadId) {
    const model = new FakeListChatModel({
      responses: ["Hello! How can I help?", "Paris is the capital of France."],
    });
    const graph = new StateGraph(MessagesAnnotation)
      .addNode("model", async (state) => ({ messages: [await model.invoke(state.messages)] }))
      .addEdge(START, "model")
      .addEdge("model", END)
      .compile({ checkpointer });
    const config = threadConfig(threadId);
    const first = await graph.invoke({ messages: [new HumanMessage("hi")] }, config);
    const second = await graph.invoke(
      { messages: [new HumanMessage("What is the capital of France?")] },
      config,
    );
    const state = await graph.getState(config);
    const history = await collect(graph.getStateHistory(config));
    return { first, second, state, history };
  },
  check(result) {
    const expected = [
      ["HumanMessage", "hi"],
      ["AIMessage", "Hello! How can I help?"],
      ["HumanMessage", "What is the capital of France?"],
      ["AIMessage", "Paris is the capital of France."],
    ];
    const shape = (messages: any[]) => messages.map((m) => [m.class, m.content]);
    expect(shape(result.first.messages)).toStrictEqual(expected.slice(0, 2));
    expect(shape(result.second.messages)).toStrictEqual(expected);
    expect(shape(result.state.values.messages)).toStrictEqual(expected);
    // The first turn's messages come back from storage with the ids they had.
    expect(result.second.messages.slice(0, 2)).toStrictEqual(result.first.messages);
    expect(result.state.next).toStrictEqual([]);
    // Per turn: input, and one step of the model.
    expect(result.history.map((s: any) => s.next)).toStrictEqual([
      [],
      ["model"],
      ["__start__"],
      [],
      ["model"],
      ["__start__"],
    ]);
  },
};
