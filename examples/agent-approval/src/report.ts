// How the demo prints a message. By default one short line; with --json a
// dump of its class, whether it is a real LangChain instance, and every own
// field (the test compares these dumps across processes).
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";

export interface MessageDump {
  class: string;
  instanceOf: { AIMessage: boolean; ToolMessage: boolean; HumanMessage: boolean };
  fields: Record<string, unknown>;
}

export function dumpMessage(message: BaseMessage): MessageDump {
  return {
    class: message.constructor.name,
    instanceOf: {
      AIMessage: message instanceof AIMessage,
      ToolMessage: message instanceof ToolMessage,
      HumanMessage: message instanceof HumanMessage,
    },
    fields: Object.fromEntries(Object.entries(message)),
  };
}

function summary(message: BaseMessage): string {
  const parts = [message.constructor.name];
  if (message.id) parts.push(`id=${message.id}`);
  if (message instanceof ToolMessage) parts.push(`for=${message.tool_call_id} ${message.status}`);
  parts.push(JSON.stringify(message.content));
  if (message instanceof AIMessage) {
    for (const call of message.tool_calls ?? []) {
      parts.push(`→ ${call.name}(${JSON.stringify(call.args)})`);
    }
    if (message.usage_metadata) parts.push(`[${message.usage_metadata.total_tokens} tokens]`);
  }
  return parts.join(" ");
}

const options = { json: false };

/** Print full JSON dumps instead of one-line summaries. */
export function printJson(on: boolean): void {
  options.json = on;
}

/** One line: `<label> <summary>`, or `<label> <JSON dump>` with printJson(true). */
export function printMessage(label: string, message: BaseMessage): void {
  console.log(`${label} ${options.json ? JSON.stringify(dumpMessage(message)) : summary(message)}`);
}
