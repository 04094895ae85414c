import { describe } from "vitest";
import { useHarness } from "../../harness.js";
import type { SaverInitializer } from "../../initializer.js";
import { type ContractContext, putOne } from "./context.js";
import { deleteThreadTests } from "./delete-thread.js";
import { getTupleTests } from "./get-tuple.js";
import { idsAndVersionsTests } from "./ids-and-versions.js";
import { listTests } from "./list.js";
import { putTests } from "./put.js";
import { putWritesTests } from "./put-writes.js";
import { putWritesBatchTests } from "./put-writes-batch.js";
import { saversAgreeTests } from "./savers-agree.js";

/**
 * The "contract" group: the LangGraph checkpoint-saver contract as Savepoint
 * keeps it (`put`, `getTuple`, `list`, `putWrites`, `deleteThread`, and the optional
 * `putWritesBatch`), one
 * behaviour per test, and the corners where savers must agree to the letter
 * (metadata filters on a `Date`, non-string namespaces, odd `limit`s). Each
 * part is a file of its own in this folder.
 *
 * @example
 * ```ts
 * import { contractGroup } from "@savepoint/conformance";
 * contractGroup({ name: "MySaver", create: () => new MySaver() });
 * ```
 */
export function contractGroup(init: SaverInitializer): void {
  describe("contract", () => {
    const h = useHarness(init);
    const context: ContractContext = { h, putOne };
    putTests(context);
    getTupleTests(context);
    putWritesTests(context);
    putWritesBatchTests(context);
    listTests(context);
    deleteThreadTests(context);
    idsAndVersionsTests(context);
    saversAgreeTests(context);
  });
}
