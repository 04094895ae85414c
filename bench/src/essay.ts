// The essay-review program (write an essay, pause for approval, return both)
// written once against the Functional API shape both libraries share. It
// imports no library itself, so a cold process that loads only one of them
// (cold-worker.ts) measures that one alone.

/**
 * The Functional API as both libraries spell it. The workloads are written
 * once against this shape; Savepoint and LangGraph.js each pass their own
 * functions, so the two run the very same programs.
 */
export interface FunctionalApi {
  entrypoint: (
    options: { name: string; checkpointer: any },
    fn: (input: any) => Promise<any>,
  ) => any;
  task: (name: string, fn: (input: any) => Promise<any>) => (input: any) => Promise<any>;
  interrupt: (value: unknown) => any;
  Command: new (args: { resume: unknown }) => unknown;
}

/** The essay-review entrypoint on `api`, its task without the documentation's one-second delay. */
export function essayReview(api: FunctionalApi, checkpointer: unknown) {
  const writeEssay = api.task(
    "writeEssay",
    async (topic: string) => `An essay about topic: ${topic}`,
  );
  return api.entrypoint({ name: "workflow", checkpointer }, async (topic: string) => {
    const text = await writeEssay(topic);
    const isApproved = api.interrupt({ essay: text, action: "Please approve/reject the essay" });
    return { essay: text, isApproved };
  });
}
