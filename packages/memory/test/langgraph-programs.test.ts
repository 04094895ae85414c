// Real LangGraph graphs (chat, tools, interrupts, Send, subgraphs, time
// travel, parallel branches, history) with MemorySaver as their
// checkpointer, each compared with the same program on LangGraph's own
// MemorySaver.
import { describeLangGraphPrograms } from "@savepoint/conformance/langgraph";
import { MemorySaver, MemoryStorage } from "../src/index.js";

const storage = new MemoryStorage();

describeLangGraphPrograms({
  name: "MemorySaver",
  create: () => new MemorySaver({ storage }),
});
