// Generated chat messages: every kind, with tool calls, content blocks,
// metadata and usage, come back from the serializer as the same class with
// the same fields, and the first run's copy equals the replay's.
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SavepointSerializer } from "../src/index.js";

const serde = new SavepointSerializer();
const json = fc.jsonValue({ maxDepth: 3 });
const text = fc.string({ unit: "grapheme", maxLength: 40 });
const id = fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined });
const content = fc.oneof(
  text,
  fc.array(
    fc.oneof(
      fc.record({ type: fc.constant("text"), text }),
      fc.record({ type: fc.constant("image_url"), image_url: fc.record({ url: fc.webUrl() }) }),
    ),
    { maxLength: 3 },
  ),
);
const toolCall = fc.record({
  name: fc.string({ minLength: 1, maxLength: 10 }),
  args: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }),
  id: fc.string({ minLength: 1, maxLength: 8 }),
  type: fc.constant("tool_call" as const),
});
const usage = fc.record({
  input_tokens: fc.nat(),
  output_tokens: fc.nat(),
  total_tokens: fc.nat(),
});
const common = {
  content,
  id,
  name: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
  additional_kwargs: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }),
  response_metadata: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }),
};
const message = fc.oneof(
  fc
    .record({
      ...common,
      tool_calls: fc.array(toolCall, { maxLength: 3 }),
      usage_metadata: fc.option(usage, { nil: undefined }),
    })
    .map((f) => new AIMessage(f as never)),
  fc.record(common).map((f) => new HumanMessage(f as never)),
  fc.record(common).map((f) => new SystemMessage(f as never)),
  fc
    .record({ ...common, tool_call_id: fc.string({ minLength: 1, maxLength: 8 }), artifact: json })
    .map((f) => new ToolMessage(f as never)),
  fc.record({ ...common, content: text }).map((f) => new AIMessageChunk(f as never)),
);

const own = (value: object) => Object.fromEntries(Object.entries(value));

describe("generated LangChain messages", () => {
  it("keep their class and every field, and the first run equals the replay", () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (messages) => {
        const firstRun = serde.canonicalize({ messages });
        const replay = serde.decode(serde.encode({ messages })) as typeof firstRun;
        messages.forEach((original, i) => {
          for (const copy of [firstRun.messages[i]!, replay.messages[i]!]) {
            expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(original));
            expect(own(copy)).toEqual(own(original));
            expect(copy.content).toEqual(original.content);
            expect(copy.id).toBe(original.id);
          }
          expect(own(firstRun.messages[i]!)).toEqual(own(replay.messages[i]!));
        });
      }),
      { numRuns: 500, seed: 20261201 },
    );
  });
});
