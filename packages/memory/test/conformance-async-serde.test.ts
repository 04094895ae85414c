// The conformance suite again, on a MemorySaver whose serializer answers
// asynchronously (as LangGraph's does): every encode and decode goes
// through the promise paths a put or a write takes with such a serializer,
// which Savepoint's own, synchronous serializer never reaches.

import { describeSaverConformance } from "@savepoint/conformance";
import { SavepointSerializer, type SerializerProtocol } from "@savepoint/core";
import { MemorySaver, MemoryStorage } from "../src/index.js";

/** Savepoint's serializer behind a macrotask hop, and not recognisable as Savepoint's. */
class AsyncSerializer implements SerializerProtocol {
  private readonly inner = new SavepointSerializer();

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.inner.dumpsTyped(data);
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.inner.loadsTyped(type, data);
  }
}

const storage = new MemoryStorage();
const serde = new AsyncSerializer();

describeSaverConformance({
  name: "MemorySaver with an asynchronous serializer",
  create: () => new MemorySaver({ storage, serde }),
  isolated: async () => {
    const isolated = new MemoryStorage();
    return {
      create: (options) => new MemorySaver({ storage: isolated, ttl: options?.ttl, serde }),
      destroy: async () => {},
    };
  },
});
