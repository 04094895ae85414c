// `npm run demo -- --inbox`: a few essay reviews in every state a reviewer
// meets — one waiting, one done, one stalled because its process was killed
// mid-run — and the review inbox serving them on 127.0.0.1, behind a random
// token printed in the URL. Stop it with Ctrl+C.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Command } from "@savepoint/core";
import { createInbox, newInboxToken, tokenAuthorizer, toNodeListener } from "@savepoint/inbox";
import { PostgresSaver } from "@savepoint/postgres";
import { essayReview } from "./workflow.js";

// Short, so the killed run shows as stalled a few seconds after start-up.
const LEASE_MS = 3_000;

// Starts the child that stalls, and kills it once its run holds the thread.
async function stallOne(dataDir: string, threadId: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@savepoint/source",
      fileURLToPath(new URL("./stall-child.ts", import.meta.url)),
      dataDir,
      threadId,
      String(LEASE_MS),
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ESSAY_DELAY_MS: "60000" } },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      if (data.toString().includes("RUNNING")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the stalling child exited early (${code})`)));
  });
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

export async function inboxDemo(options: { dataDir: string; port: number }): Promise<void> {
  rmSync(options.dataDir, { recursive: true, force: true });
  console.log("Savepoint review inbox demo — PGlite in", options.dataDir);
  console.log("  starting a review in a child process and killing it mid-run (SIGKILL)…");
  await stallOne(options.dataDir, "essay-stalled");
  const saver = new PostgresSaver(options.dataDir);
  const workflow = essayReview(saver, { leaseMs: LEASE_MS });
  const config = (id: string) => ({ configurable: { thread_id: id } });
  console.log("  starting reviews: one waits for you, one is already approved");
  await workflow.invoke("cats", config("essay-cats"));
  await workflow.invoke("the sea", config("essay-sea"));
  await workflow.invoke("dogs", config("essay-dogs"));
  await workflow.invoke(new Command({ resume: true }), config("essay-dogs"));

  const token = newInboxToken();
  const inbox = createInbox({
    workflows: [workflow],
    authorize: tokenAuthorizer(token),
    title: "Essay reviews",
  });
  const server = createServer(toNodeListener(inbox));
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  console.log(`\nInbox: http://127.0.0.1:${port}/?token=${token}`);
  console.log(
    `  (the killed run shows under "Stalled" within ${LEASE_MS / 1000} s; workflow.recover() would continue it)`,
  );
  console.log("Stop with Ctrl+C.");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await new Promise((resolve) => server.close(resolve));
  await saver.close();
  console.log("Inbox stopped.");
}
