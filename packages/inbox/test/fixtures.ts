// The workflows and the inbox the tests serve: the essay review on a real
// MemorySaver, with a token authorizer, and threads in each status.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Command, entrypoint, interrupt, task } from "@savepoint/core";
import { MemorySaver } from "@savepoint/memory";
import { createInbox, newInboxToken, tokenAuthorizer, toNodeListener } from "../src/index.js";

export const XSS_TOPIC = `<img src=x onerror="window.__xss='img'"><script>window.__xss='script'</script>`;

export function essayReview(saver = new MemorySaver()) {
  const writeEssay = task("writeEssay", async (topic: string) => `An essay about topic: ${topic}`);
  const workflow = entrypoint({ name: "review", checkpointer: saver }, async (topic: string) => {
    const essay = await writeEssay(topic);
    const isApproved = interrupt({ essay, action: "Please approve/reject the essay" });
    if (isApproved === "explode") throw new Error("secret-password-123 leaked into an error");
    if (topic.startsWith("twice")) {
      const second = interrupt({ question: `second look at ${topic}?` });
      return { essay, isApproved, second };
    }
    return { essay, isApproved };
  });
  return { saver, workflow };
}

/** An inbox over the essay review with threads: waiting ones (one with an XSS topic), one done. */
export async function seededInbox(options: { maxBodyBytes?: number } = {}) {
  const { saver, workflow } = essayReview();
  const token = newInboxToken();
  const config = (id: string) => ({ configurable: { thread_id: id } });
  await workflow.invoke("cats", config("essay-cats"));
  await workflow.invoke(XSS_TOPIC, config("essay-xss"));
  await workflow.invoke("twice over", config("essay-twice"));
  await workflow.invoke("dogs", config("essay-dogs"));
  await workflow.invoke(new Command({ resume: true }), config("essay-dogs"));
  const errors: unknown[] = [];
  const handler = createInbox({
    workflows: [workflow],
    authorize: tokenAuthorizer(token),
    onError: (error) => errors.push(error),
    ...options,
  });
  return { saver, workflow, token, handler, errors, config };
}

/** Serves `handler` on a free loopback port. */
export async function serve(handler: (request: Request) => Promise<Response>) {
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
