import { type CheckpointTuple, type Keep, keepCount } from "@savepoint/core";
import fc from "fast-check";
import { it } from "vitest";
import { threadConfig } from "../../fixtures/checkpoints.js";
import { differenceBetween } from "../../fixtures/equality.js";
import { assertProperty } from "../properties.js";
import {
  type HistoryStep,
  idsIn,
  putHistory,
  type RetentionContext,
  retaining,
  runUnderWay,
  tuplesIn,
} from "./context.js";

// One generated checkpoint: which earlier one is its parent (a fork when not
// the one before), whether it rewrites the channel most checkpoints inherit,
// whether it carries a run record of its own, and whether a task wrote to it.
const step = fc.record({
  forkFrom: fc.option(fc.nat(), { freq: 4 }),
  sticky: fc.option(fc.jsonValue({ maxDepth: 2 }), { freq: 2 }),
  ownRun: fc.option(fc.nat({ max: 4 }), { freq: 3 }),
  write: fc.option(fc.string({ maxLength: 8 }), { freq: 2 }),
});

const namespace = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 10 }),
  // How deep the head's run under way goes (-1: none).
  headRunDepth: fc.integer({ min: -1, max: 6 }),
});

const scenario = fc.record({
  namespaces: fc.array(namespace, { minLength: 1, maxLength: 3 }),
  keep: fc.oneof(fc.constant<Keep>("latest"), fc.integer({ min: 1, max: 8 })),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// What the model says one namespace keeps: the newest `keep` by id, and the
// head with the `depth` ancestors its run replays from, followed by parent.
function expectedKept(ids: string[], parents: (number | undefined)[], keep: number, depth: number) {
  const kept = new Set(ids.slice(-keep));
  let at: number | undefined = ids.length - 1;
  for (let i = 0; at !== undefined && i <= depth; i++) {
    kept.add(ids[at]!);
    at = parents[at];
  }
  return [...kept].sort().reverse();
}

/** Property: for random histories (forks, inherited values, runs) and keep N, prune keeps exactly the model's set. */
export function pruneProperties({ h, storage }: RetentionContext): void {
  it("for generated histories and keeps, prune leaves exactly the newest N plus the run under way, each read back unchanged", async () => {
    const saver = retaining(await (await storage()).create());
    await assertProperty(
      fc.asyncProperty(scenario, async ({ namespaces, keep }: Scenario) => {
        const threadId = h.threadId("property");
        const models: { ns: string; kept: string[]; before: Map<string, CheckpointTuple> }[] = [];
        let total = 0;
        for (const [n, { steps, headRunDepth }] of namespaces.entries()) {
          const ns = n === 0 ? "" : `child:${n}`;
          const parents: (number | undefined)[] = [];
          const history: HistoryStep[] = steps.map((s, i) => {
            const parent = i === 0 ? undefined : s.forkFrom === null ? i - 1 : s.forkFrom % i;
            parents.push(parent);
            const changes: Record<string, unknown> = { step: i };
            if (i === 0 || s.sticky !== null) changes.sticky = s.sticky;
            if (s.ownRun !== null) Object.assign(changes, runUnderWay(s.ownRun));
            // Only the head's run record counts.
            if (i === steps.length - 1)
              changes.__run__ = headRunDepth < 0 ? null : runUnderWay(headRunDepth).__run__;
            return { parent, changes };
          });
          const put = await putHistory(saver, threadId, ns, history);
          for (const [i, s] of steps.entries()) {
            if (s.write !== null)
              await saver.putWrites(put[i]!.config, [["note", s.write]], `task-${i}`);
          }
          const ids = put.map((p) => p.checkpoint.id);
          const kept = expectedKept(ids, parents, keepCount(keep), headRunDepth);
          total += ids.length - kept.length;
          models.push({ ns, kept, before: await tuplesIn(saver, threadId, ns) });
        }
        const heads = await Promise.all(
          models.map((m) => saver.getTuple(threadConfig(threadId, m.ns))),
        );
        const result = await saver.prune([threadId], { keep });
        if (result.threads !== 1 || result.checkpoints !== total) {
          throw new Error(
            `prune returned ${JSON.stringify(result)}; expected { threads: 1, checkpoints: ${total} }`,
          );
        }
        for (const [i, { ns, kept, before }] of models.entries()) {
          const left = await idsIn(saver, threadId, ns);
          if (left.join() !== kept.join())
            throw new Error(
              `namespace "${ns}" kept ${left.length} checkpoints, expected ${kept.length}: ${JSON.stringify(left)} vs ${JSON.stringify(kept)}`,
            );
          const after = await tuplesIn(saver, threadId, ns);
          for (const id of kept) {
            const diff = differenceBetween(after.get(id), before.get(id));
            if (diff) throw new Error(`checkpoint ${id} of "${ns}" changed: ${diff}`);
          }
          const head = await saver.getTuple(threadConfig(threadId, ns));
          const diff = differenceBetween(head, heads[i]);
          if (diff) throw new Error(`the head of "${ns}" changed: ${diff}`);
        }
        await saver.deleteThread(threadId);
      }),
      30,
    );
  });
}
