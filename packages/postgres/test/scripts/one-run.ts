// A script as the README shows it: a saver, one run, and (unless "close" is
// passed) no close(). Run by exit.test.ts, which checks it exits by itself.
//   one-run.ts <source | "default"> <schema> [close | borrowed]
import { entrypoint, task } from "@savepoint/core";
import postgres from "postgres";
import { PostgresSaver } from "../../src/index.js";

const [source = "default", schema = "savepoint", mode = ""] = process.argv.slice(2);
const borrowed = mode === "borrowed" ? postgres(source, { onnotice: () => {} }) : undefined;
const checkpointer = new PostgresSaver(borrowed ?? (source === "default" ? undefined : source), {
  schema,
});

const writeEssay = task("writeEssay", async (topic: string) => `An essay about ${topic}`);
const workflow = entrypoint({ name: "essay", checkpointer }, async (topic: string) => {
  const essay = await writeEssay(topic);
  return { essay };
});

const result = await workflow.invoke("cats", {
  configurable: { thread_id: `exit-${process.pid}-${Date.now()}` },
});
console.log(JSON.stringify(result));
if (mode === "close" || borrowed) await checkpointer.close();
if (borrowed) {
  // The saver closed only what it opened: the borrowed client still works.
  const [row] = await borrowed`select 1 as one`;
  console.log(JSON.stringify(row));
  await borrowed.end();
}
