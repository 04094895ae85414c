import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe } from "vitest";
import type { BehaviourTarget } from "../behaviour/context.js";
import { deletePrefix } from "../helpers.js";
import type { RetentionContext } from "./context.js";
import { storages } from "./context.js";
import { describeCopy } from "./copy.js";
import { describeExpiry } from "./expiry.js";
import { describePrune } from "./prune.js";
import { describeSweep } from "./sweep.js";

/**
 * Retention on one storage target (single Redis or a Cluster), beside the
 * shared conformance group: what prune, copyThread, sweep and key expiry
 * leave in the keys themselves. Each test works under a prefix of its own.
 */
export function describeRedisRetention(target: BehaviourTarget): void {
  describe(`retention on ${target.label}`, () => {
    const ctx = {
      target,
      thread: (label = "t") => `${label}-${randomUUID()}`,
    } as RetentionContext;
    const made = storages(ctx);
    ctx.storage = made.storage;

    beforeAll(async () => {
      ctx.client = await target.client();
    });
    afterAll(async () => {
      if (!ctx.client) return;
      for (const prefix of made.prefixes) await deletePrefix(ctx.client, prefix);
      await made.release();
      await target.release(ctx.client);
    });

    describePrune(ctx);
    describeSweep(ctx);
    describeExpiry(ctx);
    describeCopy(ctx);
  });
}
