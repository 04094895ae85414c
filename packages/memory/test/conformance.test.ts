import { describeSaverConformance } from "@savepoint/conformance";
import { MemorySaver, MemoryStorage } from "../src/index.js";

// One storage behind every instance the suite creates, so a "fresh" saver
// sees what the first one wrote, as a restarted process sees its database.
const storage = new MemoryStorage();

describeSaverConformance({
  name: "MemorySaver",
  create: () => new MemorySaver({ storage }),
  // The retention group sweeps: each of its tests gets a storage of its own,
  // shared by every saver it creates (two sweepers are two savers on it).
  isolated: async () => {
    const isolated = new MemoryStorage();
    return {
      create: (options) => new MemorySaver({ storage: isolated, ttl: options?.ttl }),
      destroy: async () => {},
    };
  },
});
