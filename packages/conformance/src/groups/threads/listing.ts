import { randomUUID } from "node:crypto";
import { Command, InvalidArgumentError } from "@savepoint/core";
import { expect, it } from "vitest";
import { hostileIdentifiers } from "../../fixtures/identifiers.js";
import { requireSharedStorage } from "../../fixtures/skips.js";
import { configFor, idsOf, listed, reviewWorkflow, type ThreadsContext } from "./context.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Filters, time bounds, paging under concurrent writes, ids, deletion, restart. */
export function listingTests({ init, h }: ThreadsContext): void {
  it("filters by status and by metadata (exact match, merged across runs)", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const [a1, a2, b1] = ["a1", "a2", "b1"].map((l) => h.threadId(l));
    await workflow.invoke({ topic: "1" }, configFor(a1!, { team: "a" }));
    await workflow.invoke({ topic: "2" }, configFor(a2!, { team: "a", urgent: true }));
    await workflow.invoke({ topic: "3" }, configFor(b1!, { team: "b" }));
    await workflow.invoke(new Command({ resume: true }), configFor(b1!, { reviewer: "ada" }));
    const ids = async (query: Parameters<typeof workflow.threads>[0]) =>
      idsOf(await listed(workflow.threads(query))).sort();
    expect(await ids({ metadata: { team: "a" } })).toEqual([a1, a2].sort());
    expect(await ids({ metadata: { team: "a", urgent: true } })).toEqual([a2]);
    expect(await ids({ metadata: { team: "c" } })).toEqual([]);
    expect(await ids({ status: "interrupted" })).toEqual([a1, a2].sort());
    expect(await ids({ status: ["done", "failed"] })).toEqual([b1]);
    expect(await ids({ status: "stalled" })).toEqual([]);
    expect((await workflow.thread(b1!))?.metadata).toEqual({ team: "b", reviewer: "ada" });
    expect(await ids({ metadata: { team: "b", reviewer: "ada" } })).toEqual([b1]);
  });

  it("lists newest update first, and bounds by updatedAfter / updatedBefore", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const ids = ["old", "mid", "new"].map((l) => h.threadId(l));
    for (const id of ids) {
      await workflow.invoke({ topic: id }, configFor(id));
      await pause(15);
    }
    const all = await listed(workflow.threads());
    expect(idsOf(all)).toEqual([...ids].reverse());
    const [newest, mid, oldest] = all;
    expect(idsOf(await listed(workflow.threads({ updatedAfter: oldest!.updatedAt })))).toEqual([
      newest!.threadId,
      mid!.threadId,
    ]);
    expect(
      idsOf(await listed(workflow.threads({ updatedBefore: new Date(newest!.updatedAt) }))),
    ).toEqual([mid!.threadId, oldest!.threadId]);
    expect(
      idsOf(
        await listed(
          workflow.threads({ updatedAfter: oldest!.updatedAt, updatedBefore: newest!.updatedAt }),
        ),
      ),
    ).toEqual([mid!.threadId]);
  });

  it("pages: no unchanged thread is skipped or repeated while others are written", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const stable = Array.from({ length: 24 }, (_, i) => h.threadId(`p${i}`));
    for (const id of stable) await workflow.invoke({ topic: id }, configFor(id));
    const touched = stable.filter((_, i) => i % 6 === 0);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let writer = 0;
    do {
      const page = await workflow.threadsPage({ limit: 5, cursor });
      seen.push(...idsOf(page.threads));
      cursor = page.cursor;
      pages++;
      // Between pages: new threads appear, and some listed ones change.
      await workflow.invoke({ topic: "new" }, configFor(h.threadId(`w${writer++}`)));
      const again = touched[pages % touched.length]!;
      await workflow.invoke(new Command({ resume: true }), configFor(again)).catch(() => {});
    } while (cursor && pages < 100);
    const unchanged = stable.filter((id) => !touched.includes(id));
    for (const id of unchanged) expect(seen.filter((s) => s === id)).toHaveLength(1);
    expect(pages).toBeGreaterThan(4);
  });

  it("refuses a bad query with InvalidArgumentError", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const bad = [
      { status: "waiting" },
      { limit: 0 },
      { limit: 1.5 },
      { limit: 5_000 },
      { cursor: "not-a-cursor" },
      { updatedAfter: "yesterday" },
      { metadata: "team=a" },
    ];
    for (const query of bad) {
      await expect(workflow.threadsPage(query as never)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
  });

  it("lists hostile thread ids exactly, and reads each one back", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const hostile = hostileIdentifiers(randomUUID().slice(0, 8));
    for (const { id } of hostile) {
      await h.saver().deleteThread(id);
      await workflow.invoke({ topic: "x" }, configFor(id));
    }
    // Pages of every size, so each id (the 4 KB one too) ends a page and rides in a cursor.
    for (const limit of [1, 2, 3, 7]) {
      const ids = idsOf(await listed(workflow.threads({ limit })));
      expect([...ids].sort(), `pages of ${limit}`).toEqual(hostile.map((x) => x.id).sort());
    }
    for (const { label, id } of hostile) {
      expect((await workflow.thread(id))?.threadId, label).toBe(id);
    }
    for (const { id } of hostile) await h.saver().deleteThread(id);
  });

  it("a deleted thread leaves every listing", async () => {
    const { workflow } = reviewWorkflow(h.saver());
    const gone = h.threadId("gone");
    const kept = h.threadId("kept");
    await workflow.invoke({ topic: "x" }, configFor(gone));
    await workflow.invoke({ topic: "y" }, configFor(kept));
    await h.saver().deleteThread(gone);
    expect(await workflow.thread(gone)).toBeUndefined();
    expect(idsOf(await listed(workflow.threads()))).toEqual([kept]);
    expect(idsOf(await listed(workflow.threads({ status: "interrupted" })))).toEqual([kept]);
  });

  it("a new saver instance lists what the first one wrote", async (ctx) => {
    await requireSharedStorage(init, h, ctx);
    const { name, workflow } = reviewWorkflow(h.saver());
    const threadId = h.threadId("restart");
    await workflow.invoke({ topic: "x" }, configFor(threadId, { team: "r" }));
    const after = reviewWorkflow(await h.fresh(), { name }).workflow;
    const summary = await after.thread(threadId);
    expect(summary).toEqual(await workflow.thread(threadId));
    expect(summary?.status).toBe("interrupted");
    await after.invoke(new Command({ resume: true }), configFor(threadId));
    expect((await workflow.thread(threadId))?.status).toBe("done");
  });
}
