import { afterAll, beforeAll, describe } from "vitest";
import { concurrencyGroup } from "./groups/concurrency.js";
import { contractGroup } from "./groups/contract/index.js";
import { identifiersGroup } from "./groups/identifiers/index.js";
import { listsGroup } from "./groups/list-chains.js";
import { payloadsGroup } from "./groups/payloads.js";
import { propertiesGroup } from "./groups/properties.js";
import { restartGroup } from "./groups/restart.js";
import { retentionGroup } from "./groups/retention/index.js";
import { runtimeGroup } from "./groups/runtime/index.js";
import { threadsGroup } from "./groups/threads/index.js";
import type { GroupName, SaverInitializer } from "./initializer.js";

const GROUPS: Record<GroupName, (init: SaverInitializer) => void> = {
  contract: contractGroup,
  restart: restartGroup,
  concurrency: concurrencyGroup,
  payloads: payloadsGroup,
  identifiers: identifiersGroup,
  runtime: runtimeGroup,
  threads: threadsGroup,
  retention: retentionGroup,
  lists: listsGroup,
  properties: propertiesGroup,
};

/**
 * Registers the whole conformance suite for one saver with vitest. Call it at
 * the top level of a test file; each group is a `describe` block.
 *
 * @example
 * ```ts
 * import { describeSaverConformance } from "@savepoint/conformance";
 * import { MySaver } from "../src/index.js";
 *
 * describeSaverConformance({
 *   name: "MySaver",
 *   create: () => new MySaver({ url: process.env.MY_URL }),
 *   destroy: (saver) => saver.close(),
 * });
 * ```
 */
export function describeSaverConformance(init: SaverInitializer, only?: GroupName[]): void {
  const skipAll = init.skip === true;
  const skipped = new Set(Array.isArray(init.skip) ? init.skip : []);
  describe.skipIf(skipAll)(`${init.name} conformance`, () => {
    if (init.beforeAll) beforeAll(() => init.beforeAll?.());
    if (init.afterAll) afterAll(() => init.afterAll?.());
    for (const [name, group] of Object.entries(GROUPS) as [
      GroupName,
      (i: SaverInitializer) => void,
    ][]) {
      if (only && !only.includes(name)) continue;
      if (skipped.has(name)) continue;
      group(init);
    }
  });
}
