// A tool-calling agent written with Savepoint's Functional API. The model
// asks for a refund; the agent pauses with interrupt() until a person
// approves or rejects that tool call. The paused run is saved, so the answer
// may come from another process, hours later: on resume the model's first
// reply is loaded from the checkpoint (the model is not called again) as the
// same AIMessage, with the same id, tool_calls and metadata.
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { ToolCall } from "@langchain/core/messages/tool";
import { type CheckpointSaver, entrypoint, interrupt, task } from "@savepoint/core";
import { answerer, toolCaller } from "./models.js";
import { printMessage } from "./report.js";
import { TOOLS } from "./tools.js";

/** What the person approving a tool call is shown (the interrupt's value). */
export interface ApprovalRequest {
  question: string;
  tool: string;
  args: Record<string, unknown>;
  toolCallId: string;
}

/** What the person answers (`new Command({ resume: decision })`). */
export interface Decision {
  approved: boolean;
  reason?: string;
}

/** What the agent returns. */
export interface AgentResult {
  messages: BaseMessage[];
  answer: string;
}

/**
 * One model turn. The lines it prints appear only when its body runs, never
 * when a replay loads its saved reply.
 */
export const callModel = task("callModel", async (messages: BaseMessage[]): Promise<AIMessage> => {
  // The fake tool caller always asks for the refund; once a tool result is in
  // the conversation the answerer writes the final reply.
  const answering = messages.some((message) => message instanceof ToolMessage);
  const model = answering ? answerer : toolCaller;
  console.log(`[task] callModel ran: ${answering ? "answerer" : "toolCaller"}`);
  const reply = (await model.invoke(messages)) as AIMessage;
  printMessage("[task] callModel produced", reply);
  return reply;
});

/** Runs one approved tool call and returns its result as a ToolMessage. */
export const runTool = task("runTool", async (call: ToolCall): Promise<ToolMessage> => {
  console.log(`[task] runTool ran: ${call.name}`);
  const tool = TOOLS[call.name];
  const result = tool
    ? new ToolMessage({
        content: JSON.stringify(await tool(call.args)),
        tool_call_id: call.id!,
        name: call.name,
        status: "success",
      })
    : new ToolMessage({
        content: `Unknown tool ${call.name}`,
        tool_call_id: call.id!,
        name: call.name,
        status: "error",
      });
  printMessage("[task] runTool produced", result);
  return result;
});

/** The agent: call the model; ask a person before each tool call; loop until a final answer. */
export function agent(checkpointer: CheckpointSaver) {
  return entrypoint(
    { name: "agent", checkpointer },
    async (request: string): Promise<AgentResult> => {
      const messages: BaseMessage[] = [new HumanMessage(request)];
      let reply = await callModel([...messages]);
      messages.push(reply);
      while (reply.tool_calls && reply.tool_calls.length > 0) {
        for (const call of reply.tool_calls) {
          const decision = interrupt<ApprovalRequest, Decision>({
            question: `The agent wants to call ${call.name}. Approve this tool call?`,
            tool: call.name,
            args: call.args,
            toolCallId: call.id!,
          });
          if (!decision.approved) {
            const why = decision.reason ? `: ${decision.reason}` : "";
            messages.push(
              new ToolMessage({
                content: `Rejected by the reviewer${why}`,
                tool_call_id: call.id!,
                name: call.name,
                status: "error",
              }),
              new AIMessage(
                `I did not call ${call.name}: a reviewer rejected the tool call${why}. ` +
                  "Nothing was changed.",
              ),
            );
            return { messages, answer: String(messages.at(-1)!.content) };
          }
          messages.push(await runTool(call));
        }
        reply = await callModel([...messages]);
        messages.push(reply);
      }
      return { messages, answer: String(reply.content) };
    },
  );
}
