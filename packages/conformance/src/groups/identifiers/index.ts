import type { CheckpointSaver, CheckpointTuple } from "@savepoint/core";
import { beforeAll, describe } from "vitest";
import { listAll, putChain, threadConfig } from "../../fixtures/checkpoints.js";
import { expectSameValue } from "../../fixtures/equality.js";
import { useHarness } from "../../harness.js";
import type { SaverInitializer } from "../../initializer.js";
import { attempt, expectTypedRefusal, type IdentifiersContext, show } from "./context.js";
import { loneSurrogateTests } from "./lone-surrogates.js";
import { namespaceAndKeyTests } from "./namespaces-and-keys.js";
import { threadIdTests } from "./thread-ids.js";

/**
 * The "identifiers" group: thread ids, namespaces, task ids, channel names,
 * metadata keys and checkpoint ids made of quotes, SQL and glob wildcards,
 * separators, whitespace, emoji, path pieces and 4 KB strings. Each either
 * round-trips or is refused with an `INVALID_IDENTIFIER` SavepointError, and
 * no operation on one ever reads, lists or deletes another thread's data (a
 * victim thread is checked after every test). Identifiers holding a lone
 * UTF-16 surrogate, which storage would turn into U+FFFD, are refused by
 * every method, in the saver and in the runtime. Each part is a file of its
 * own in this folder.
 *
 * @example
 * ```ts
 * import { identifiersGroup } from "@savepoint/conformance";
 * identifiersGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function identifiersGroup(init: SaverInitializer): void {
  describe("identifiers", () => {
    const h = useHarness(init);
    const victimId = h.threadId("victim");
    let victim: { main: CheckpointTuple[]; sub: CheckpointTuple[] };

    async function readVictim(saver: CheckpointSaver) {
      return {
        main: await listAll(saver, threadConfig(victimId, "")),
        sub: await listAll(saver, threadConfig(victimId, "sub")),
      };
    }

    async function expectVictimIntact(): Promise<void> {
      const now = await readVictim(h.saver());
      expectSameValue(now, victim, "the victim thread (another thread's data)");
    }

    beforeAll(async () => {
      const saver = h.saver();
      const [root] = await putChain(saver, victimId, 2, { metadata: () => ({ victim: true }) });
      await putChain(saver, victimId, 1, { ns: "sub" });
      await saver.putWrites(root!.config, [["secret", "victim data"]], "victim-task");
      victim = await readVictim(saver);
    });

    // The bare wildcard ids ("*", "%") are shared by every run on a storage, so clear them first.
    async function clear(saver: CheckpointSaver, id: string) {
      const r = await attempt(() => saver.deleteThread(id));
      if (!r.ok) expectTypedRefusal(r.error, `deleteThread(${show(id)})`);
    }

    const context: IdentifiersContext = { h, victimId, expectVictimIntact, clear };
    threadIdTests(context);
    namespaceAndKeyTests(context);
    loneSurrogateTests(context);
  });
}
