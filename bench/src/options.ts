// The command line of `pnpm bench`.
import { resolve } from "node:path";
import { BACKENDS } from "./backends/index.js";
import { type Mode, PLANS, type Plan } from "./plan.js";
import type { BackendId, WorkloadId } from "./results.js";

const USAGE =
  "usage: pnpm bench [-- --quick | --smoke] [--only memory,pglite,postgres,redis] " +
  "[--workloads W1,W2,W3,W4,W5] [--no-docs] [--out results.json]";

export interface Options {
  /** The arguments as given, for the results' `command`. */
  args: string[];
  mode: Mode;
  plan: Plan;
  only: BackendId[];
  workloads: WorkloadId[];
  writeDocs: boolean;
  /** Where the results go, when not bench/results/latest.json. */
  out: string | undefined;
}

export function parseOptions(argv: readonly string[], known: readonly WorkloadId[]): Options {
  const args = argv.filter((a) => a !== "--");
  const flag = (name: string) => args.includes(name);
  const option = (name: string): string | undefined => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    const arg = args[i]!;
    return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[i + 1];
  };
  if (flag("--help")) {
    console.log(USAGE);
    process.exit(0);
  }
  const mode: Mode = flag("--smoke") ? "smoke" : flag("--quick") ? "quick" : "full";
  const ids = BACKENDS.map((b) => b.id);
  const only = (option("--only")?.split(",") ?? ids) as BackendId[];
  for (const b of only) {
    if (!ids.includes(b)) throw new Error(`--only: unknown backend "${b}" (${ids.join(", ")})`);
  }
  const workloads = (option("--workloads")?.toUpperCase().split(",") ?? known) as WorkloadId[];
  for (const w of workloads) {
    if (!known.includes(w)) throw new Error(`--workloads: unknown workload "${w}"`);
  }
  const out = option("--out");
  return {
    args,
    mode,
    plan: PLANS[mode],
    only,
    workloads,
    // A smoke run's figures are never the ones to publish.
    writeDocs: !flag("--no-docs") && mode !== "smoke",
    out: out === undefined ? undefined : resolve(out),
  };
}
