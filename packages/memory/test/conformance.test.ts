// The conformance suite is imported by path: a devDependency on
// @savepoint/conformance would make a workspace cycle (conformance depends on
// memory), which turbo refuses.
import { describeSaverConformance } from "../../conformance/src/index.js";
import { MemorySaver, MemoryStorage } from "../src/index.js";

// One storage behind every instance the suite creates, so a "fresh" saver
// sees what the first one wrote, as a restarted process sees its database.
const storage = new MemoryStorage();

describeSaverConformance({
  name: "MemorySaver",
  create: () => new MemorySaver({ storage }),
});
