// Two deterministic chat models from @langchain/core/utils/testing, so the
// demo needs no network and no API key:
//
// - `toolCaller` (FakeStreamingChatModel) always asks to call the `refund` tool;
// - `answerer` (FakeListChatModel) writes the final answer once the tool ran.
//
// A real provider also returns a unique message id, token usage and response
// metadata. The fakes leave those out, so `ProviderFields` adds them (a fresh
// id and timestamp on every call): if a replay ran the model again, the id
// would differ, which is how the demo and its test tell a saved reply from a
// new one.
import { randomUUID } from "node:crypto";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel, FakeStreamingChatModel } from "@langchain/core/utils/testing";

/** The tool call the fake model always asks for. */
export const REFUND_CALL = {
  name: "refund",
  args: { orderId: "A-1001", amountCents: 4200, reason: "arrived broken" },
  id: "call-1",
  type: "tool_call" as const,
};

/** The fake answerer's final answer (after the refund went through). */
export const FINAL_ANSWER =
  "Done: I refunded $42.00 for order A-1001 (refund R-A-1001). Sorry it arrived broken!";

function tokens(messages: BaseMessage[]): number {
  return messages.reduce((n, m) => n + Math.ceil(JSON.stringify(m.content).length / 4), 0);
}

/** Gives each reply what a real provider's reply carries: id, usage, response metadata. */
function withProviderFields(result: ChatResult, model: string, input: BaseMessage[]): ChatResult {
  return {
    ...result,
    generations: result.generations.map((generation) => {
      const reply = generation.message as AIMessage;
      const toolCalls = reply.tool_calls ?? [];
      const inputTokens = tokens(input);
      const outputTokens = tokens([reply]) + toolCalls.length * 12;
      return {
        ...generation,
        message: new AIMessage({
          content: reply.content,
          tool_calls: toolCalls,
          id: `chatcmpl-${randomUUID()}`,
          additional_kwargs:
            toolCalls.length > 0
              ? {
                  tool_calls: toolCalls.map((call) => ({
                    id: call.id ?? "",
                    type: "function" as const,
                    function: { name: call.name, arguments: JSON.stringify(call.args) },
                  })),
                }
              : {},
          response_metadata: {
            model_name: model,
            finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
            created: Date.now(),
          },
          usage_metadata: {
            input_tokens: inputTokens,
            output_tokens: outputTokens,
            total_tokens: inputTokens + outputTokens,
            input_token_details: { cache_read: 0 },
          },
        }),
      };
    }),
  };
}

class ToolCallingFake extends FakeStreamingChatModel {
  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    return withProviderFields(
      await super._generate(messages, options, runManager),
      "fake-tool-caller",
      messages,
    );
  }
}

class AnsweringFake extends FakeListChatModel {
  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    return withProviderFields(
      await super._generate(messages, options, runManager),
      "fake-answerer",
      messages,
    );
  }
}

/** Asks for the refund: its `invoke` returns an AIMessage with REFUND_CALL in `tool_calls`. */
export const toolCaller = new ToolCallingFake({
  sleep: 0,
  responses: [new AIMessage("Let me refund order A-1001 for you.")],
  chunks: [new AIMessageChunk({ content: "", tool_calls: [REFUND_CALL] })],
});

/** Writes the final answer. */
export const answerer = new AnsweringFake({ responses: [FINAL_ANSWER] });
