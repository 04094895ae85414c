// LangGraph.js's own checkpoint validation suite
// (@langchain/langgraph-checkpoint-validation), run unchanged against
// MemorySaver: the proof that it is a drop-in under LangGraph graphs.
//
// The suite calls vitest's `describe`, `it`, `expect`, `beforeAll`… as
// globals. This file sets them on globalThis before importing it; the shared
// config keeps `globals` off, and vitest isolates test files (the default),
// so no other file sees them.
import type { CheckpointSaverTestInitializer } from "@langchain/langgraph-checkpoint-validation";
import { exposeVitestGlobals } from "@savepoint/conformance/langgraph";
import { MemorySaver } from "../src/index.js";

exposeVitestGlobals();
const { validate, deltaChannelHistoryTests } = await import(
  "@langchain/langgraph-checkpoint-validation"
);

// Every case of `validate` (put, putWrites, getTuple, list, deleteThread, in
// the root and a child namespace): 718, none skipped. The suite's skip lists
// are keyed by name ("MemorySaver" would skip the check that only the
// channels in newVersions are stored), hence a name of our own. Each block
// creates its own saver, with storage of its own, as LangGraph's initializer
// for its MemorySaver does.
const initializer: CheckpointSaverTestInitializer<MemorySaver> = {
  checkpointerName: "@savepoint/memory",
  createCheckpointer: () => new MemorySaver(),
};
validate(initializer);

// The opt-in block LangGraph runs on its own savers: the ancestor walk that
// rebuilds a DeltaChannel (`getDeltaChannelHistory`). Its seeds are
// LangGraph's DeltaSnapshot, which the default serializer knows.
deltaChannelHistoryTests(initializer);
