import { describeSaverConformance } from "@savepoint/conformance";
import { MemorySaver, MemoryStorage } from "../src/index.js";

// One storage behind every instance the suite creates, so a "fresh" saver
// sees what the first one wrote, as a restarted process sees its database.
const storage = new MemoryStorage();

describeSaverConformance({
  name: "MemorySaver",
  create: () => new MemorySaver({ storage }),
});
