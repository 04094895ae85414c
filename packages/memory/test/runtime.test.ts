import { runtimeGroup } from "@savepoint/conformance";
import { MemorySaver, MemoryStorage } from "../src/index.js";

const storage = new MemoryStorage();
runtimeGroup({ name: "MemorySaver", create: () => new MemorySaver({ storage }) });
