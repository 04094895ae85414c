import { type CheckpointSaver, entrypoint, interrupt, task } from "@savepoint/core";

/** What the reviewer is shown. */
export interface ReviewRequest {
  essay: string;
  action: string;
}

/** Counts real executions of the essay task, so the demo can show a replay did not re-run it. */
export const essayRuns = { count: 0 };

/** The essay-review task: writing the essay stands for slow, expensive work. */
export const writeEssay = task("writeEssay", async (topic: string) => {
  essayRuns.count++;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.ESSAY_DELAY_MS ?? 1000)));
  return `An essay about topic: ${topic}`;
});

/** The essay-review workflow: write an essay, pause for a person to approve it, return both. */
export function essayReview(checkpointer: CheckpointSaver, options: { leaseMs?: number } = {}) {
  return entrypoint({ name: "workflow", checkpointer, ...options }, async (topic: string) => {
    const essay = await writeEssay(topic);
    const isApproved = interrupt<ReviewRequest, boolean>({
      essay,
      action: "Please approve/reject the essay",
    });
    return { essay, isApproved };
  });
}
