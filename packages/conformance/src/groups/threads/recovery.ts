import { Command, SaverCapabilityMissingError } from "@savepoint/core";
import { expect, it } from "vitest";
import { bareSaver } from "../../fixtures/bare-saver.js";
import {
  configFor,
  eventually,
  gate,
  idsOf,
  listed,
  openGate,
  reviewWorkflow,
  type ThreadsContext,
} from "./context.js";

/** Leases, stalled runs, recover() with racing recoverers, and failing closed. */
export function recoveryTests({ init, h }: ThreadsContext): void {
  // A run stopped mid-way leaves its thread "running" until its lease runs
  // out: an aborted run is the in-process stand-in for a process that died.
  async function stallOne(
    workflow: ReturnType<typeof reviewWorkflow>["workflow"],
    threadId: string,
  ): Promise<void> {
    const controller = new AbortController();
    const gateName = `never-${threadId}`;
    const run = workflow.invoke(
      { topic: threadId, hold: gateName },
      { ...configFor(threadId), signal: controller.signal },
    );
    await eventually(
      () => workflow.thread(threadId),
      (t) => t?.status === "running",
    );
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: "RUN_ABORTED" });
    // Continued runs must not wait on this gate.
    openGate(gateName);
    void gate(gateName);
  }

  it("a run that stops renewing its lease is stalled; a live long task stays running", async () => {
    // The dead run's lease is short; the live one's is long enough that a
    // loaded machine delaying one renewal by a few hundred ms changes nothing.
    const { name, workflow } = reviewWorkflow(h.saver(), { leaseMs: 120 });
    const liveWorkflow = reviewWorkflow(h.saver(), { name, leaseMs: 900 }).workflow;
    const live = h.threadId("live");
    const gateName = `slow-${live}`;
    const slow = liveWorkflow.invoke({ topic: "slow", hold: gateName }, configFor(live));
    const dead = h.threadId("dead");
    await stallOne(workflow, dead);
    const stalled = await eventually(
      () => workflow.thread(dead),
      (t) => t?.status === "stalled",
    );
    expect(stalled?.status).toBe("stalled");
    // Three of its leases later the live run's thread is still running: its process renews it.
    await new Promise((resolve) => setTimeout(resolve, 2_700));
    expect((await workflow.thread(live))?.status).toBe("running");
    expect(idsOf(await listed(workflow.threads({ status: "stalled" })))).toEqual([dead]);
    expect(idsOf(await listed(workflow.threads({ status: "running" })))).toEqual([live]);
    openGate(gateName);
    await slow;
    expect((await workflow.thread(live))?.status).toBe("interrupted");
  });

  it("recover() continues each stalled thread once, with two recoverers racing", async () => {
    const first = reviewWorkflow(h.saver(), { leaseMs: 100 });
    const threads = Array.from({ length: 4 }, (_, i) => h.threadId(`stalled${i}`));
    for (const id of threads) await stallOne(first.workflow, id);
    await eventually(
      () => listed(first.workflow.threads({ status: "stalled" })),
      (list) => list.length === threads.length,
    );
    expect(first.runs.write).toBe(threads.length);
    const other = init.durable === false ? h.saver() : await h.fresh();
    const a = reviewWorkflow(h.saver(), { name: first.name, leaseMs: 100 });
    const b = reviewWorkflow(other, { name: first.name, leaseMs: 100 });
    const [ra, rb] = await Promise.all([a.workflow.recover(), b.workflow.recover()]);
    const continued = [...ra.continued, ...rb.continued].map((c) => c.threadId).sort();
    expect(continued).toEqual([...threads].sort());
    for (const c of [...ra.continued, ...rb.continued]) expect(c.outcome).toBe("interrupted");
    for (const s of [...ra.skipped, ...rb.skipped]) {
      expect(threads).toContain(s.threadId);
      expect(s.reason).toMatch(/another run/);
    }
    // Finished tasks were not run again; the held task ran once more per thread, in one recoverer.
    expect(a.runs.write + b.runs.write).toBe(0);
    expect(a.runs.held + b.runs.held).toBe(threads.length);
    for (const id of threads) expect((await first.workflow.thread(id))?.status).toBe("interrupted");
    expect(await first.workflow.recover()).toEqual({ continued: [], skipped: [] });
    await a.workflow.invoke(new Command({ resume: true }), configFor(threads[0]!));
    expect((await a.workflow.thread(threads[0]!))?.status).toBe("done");
  });

  it("recover({ olderThan }) leaves threads that stalled more recently", async () => {
    const { workflow } = reviewWorkflow(h.saver(), { leaseMs: 60 });
    const threadId = h.threadId("recent");
    await stallOne(workflow, threadId);
    await eventually(
      () => workflow.thread(threadId),
      (t) => t?.status === "stalled",
    );
    expect(await workflow.recover({ olderThan: 3_600_000 })).toEqual({
      continued: [],
      skipped: [],
    });
    const done = await workflow.recover({ olderThan: 0 });
    expect(done.continued.map((c) => c.threadId)).toEqual([threadId]);
  });
}

/** A saver without the capability: the listing calls fail closed, runs still work. */
export function failClosedTests({ h }: ThreadsContext): void {
  it("fails closed on a saver without thread records: a typed error naming what to implement", async () => {
    const saver = h.saver();
    const bare = bareSaver(saver);
    const { workflow } = reviewWorkflow(bare);
    await expect(workflow.threadsPage()).rejects.toBeInstanceOf(SaverCapabilityMissingError);
    await expect(workflow.recover()).rejects.toThrow(/capabilities\.threads.*listThreads/);
    // Running still works: the runtime asks nothing of such a saver.
    await workflow.invoke({ topic: "x" }, configFor(h.threadId("bare")));
  });
}
