// The same five workloads on @langchain/langgraph's Functional API, the
// program Savepoint is a drop-in for: workloads.ts holds the programs, and
// only the library passed in differs (durability is left at LangGraph's default).
import {
  type BaseCheckpointSaver,
  Command,
  entrypoint,
  interrupt,
  task,
} from "@langchain/langgraph";
import { type Flows, type FunctionalApi, functionalFlows } from "./workloads.js";

export const langGraphApi = { entrypoint, task, interrupt, Command } as unknown as FunctionalApi;

export function langGraphFlows(checkpointer: BaseCheckpointSaver): Flows {
  return functionalFlows(langGraphApi, checkpointer, "lg");
}
