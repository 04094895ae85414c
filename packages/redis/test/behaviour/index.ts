import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe } from "vitest";
import { RedisSaver } from "../../src/index.js";
import { deletePrefix, randomPrefix } from "../helpers.js";
import { describeChannelValues } from "./channel-values.js";
import type { BehaviourContext, BehaviourTarget } from "./context.js";
import { describeDamage } from "./damage.js";
import { describeHistory } from "./history.js";
import { describeIdentifiers } from "./identifiers.js";
import { describeList } from "./list.js";
import { describePutAndGet } from "./put-get.js";
import { describeThreads } from "./threads.js";
import { describeValues } from "./values.js";
import { describeWrites } from "./writes.js";

export type { BehaviourTarget } from "./context.js";

/**
 * The saver's behaviour, checked directly (beside the shared conformance
 * suite), against one storage target: single Redis or a Cluster. One file
 * per topic; each reads the client and saver from the shared context.
 */
export function describeRedisSaverBehaviour(target: BehaviourTarget): void {
  describe(`RedisSaver on ${target.label}`, () => {
    const ctx = {
      prefix: randomPrefix("behaviour"),
      thread: (label = "t") => `${label}-${randomUUID()}`,
    } as BehaviourContext;

    beforeAll(async () => {
      ctx.client = await target.client();
      ctx.saver = new RedisSaver(ctx.client, { prefix: ctx.prefix });
    });
    afterAll(async () => {
      if (!ctx.client) return;
      await deletePrefix(ctx.client, ctx.prefix);
      await target.release(ctx.client);
    });

    describePutAndGet(ctx);
    describeWrites(ctx);
    describeList(ctx);
    describeIdentifiers(ctx);
    describeValues(ctx);
    describeChannelValues(ctx);
    describeDamage(ctx);
    describeHistory(ctx);
    describeThreads(ctx);
  });
}
