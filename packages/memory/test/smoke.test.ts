import { Command, entrypoint, getPreviousState, interrupt, task } from "@savepoint/core";
import { expect, it } from "vitest";
import { MemorySaver } from "../src/index.js";

it("essay", async () => {
  let runs = 0;
  const writeEssay = task("writeEssay", async (topic: string) => {
    runs++;
    return `An essay about topic: ${topic}`;
  });
  const workflow = entrypoint(
    { name: "workflow", checkpointer: new MemorySaver() },
    async (topic: string) => {
      const essay = await writeEssay(topic);
      const isApproved = interrupt({ essay, action: "Please approve/reject the essay" });
      return { essay, isApproved };
    },
  );
  const config = { configurable: { thread_id: "t1" } };
  const chunks: unknown[] = [];
  for await (const c of workflow.stream("cat", config)) chunks.push(c);
  for await (const c of await workflow.stream(new Command({ resume: true }), config))
    chunks.push(c);
  console.log(JSON.stringify(chunks, null, 1));
  expect(runs).toBe(1);
  const counter = entrypoint({ name: "c", checkpointer: new MemorySaver() }, async (n: number) => {
    return n + ((getPreviousState() as number) ?? 0);
  });
  expect(await counter.invoke(1, config)).toBe(1);
  expect(await counter.invoke(2, config)).toBe(3);
});
