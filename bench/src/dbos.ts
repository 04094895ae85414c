// DBOS Transact on the same Postgres server: the per-step workload (W2) and
// the human-in-the-loop flow (W1), written the DBOS way: steps with
// DBOS.runStep, the pause as DBOS.recv in a running workflow, the reply as
// DBOS.send. Its system database is a separate database on the same server,
// dropped before each benchmark run.
import { DBOS } from "@dbos-inc/dbos-sdk";
import postgres from "postgres";
import { DATABASE_URL } from "./services.js";

export const DBOS_DATABASE = "dbos_bench_sys";

let registered:
  | {
      sequential: (n: number) => Promise<number>;
      essay: (topic: string) => Promise<{ essay: string; isApproved: boolean | null }>;
    }
  | undefined;

function register() {
  registered ??= {
    sequential: DBOS.registerWorkflow(
      async (n: number) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await DBOS.runStep(async () => i + 1, { name: "step" });
        return sum;
      },
      { name: "sequential" },
    ),
    essay: DBOS.registerWorkflow(
      async (topic: string) => {
        const text = await DBOS.runStep(async () => `An essay about topic: ${topic}`, {
          name: "writeEssay",
        });
        // The reviewer is shown the essay through an event, and answers with a message.
        await DBOS.setEvent("essay", text);
        const isApproved = await DBOS.recv<boolean>("approval", 60);
        return { essay: text, isApproved };
      },
      { name: "workflow" },
    ),
  };
  return registered;
}

function systemDatabaseUrl(): string {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${DBOS_DATABASE}`;
  return url.toString();
}

/** DBOS's two workloads; `close` shuts DBOS down. */
export interface DbosFlows {
  reviewFlow(threads: number): Promise<number>;
  sequential(n: number): Promise<number>;
  close(): Promise<void>;
}

export async function launchDbos(): Promise<DbosFlows> {
  // A clean system database per benchmark run (DBOS creates it on launch).
  const admin = postgres(DATABASE_URL, { onnotice: () => {}, max: 1 });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DBOS_DATABASE} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  // Called as plain functions: DBOS takes a call through an object for an instance method.
  const { sequential, essay } = register();
  DBOS.setConfig({
    name: "savepoint-bench",
    systemDatabaseUrl: systemDatabaseUrl(),
    logLevel: "error",
  });
  // DBOS's pg pool prints a pg@9 deprecation warning on every run; it is not ours to fix.
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  await DBOS.launch();
  return {
    async reviewFlow(threads) {
      const t0 = performance.now();
      for (let t = 0; t < threads; t++) {
        const handle = await DBOS.startWorkflow(essay)("cat");
        const shown = await DBOS.getEvent<string>(handle.workflowID, "essay", 60);
        if (!shown) throw new Error("DBOS: the essay was not shown");
        await DBOS.send(handle.workflowID, true, "approval");
        const done = await handle.getResult();
        if (done.isApproved !== true) throw new Error("DBOS: the flow did not finish");
      }
      return performance.now() - t0;
    },
    async sequential(n) {
      const t0 = performance.now();
      const sum = await sequential.call(undefined, n);
      const ms = performance.now() - t0;
      if (sum !== (n * (n + 1)) / 2) throw new Error("DBOS: wrong sum");
      return ms;
    },
    async close() {
      await DBOS.shutdown();
      process.noDeprecation = quiet;
    },
  };
}
