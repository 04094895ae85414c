// Crash trials: a 20-task workflow in a child process (test/scripts/crash-child.ts)
// is SIGKILLed at a random point of its run and continued by a new process.
// Each trial checks that every task result that was stored before the kill
// is the one the run ends with (it survived and was replayed, not re-run),
// that in "sync" durability at most the one task in flight ran twice, and
// that the output equals an uninterrupted run's. Used by crash.test.ts (a
// few trials) and scripts/crash-trials.ts (hundreds).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runScript, scriptCommand } from "../spawn.js";

const child = fileURLToPath(new URL("../scripts/crash-child.ts", import.meta.url));
const CHILD_DEADLINE_MS = 120_000;

/** Where the trials store: PGlite data directories, or a Postgres server. */
export type CrashBackend = { kind: "pglite" } | { kind: "postgres"; url: string; schema: string };

/** What one trial saw. */
export interface TrialResult {
  /** What the kill left: nothing stored, part of the run, or the finished run. */
  kind: "before" | "mid" | "after";
  /** Task executions beyond one per task. */
  reruns: number;
  killDelayMs: number;
  failures: string[];
}

/** What a batch of trials saw, for the report. */
export interface CrashSummary {
  trials: number;
  kinds: Record<TrialResult["kind"], number>;
  reruns: number;
  maxRerunsPerTrial: number;
  failures: string[];
  ms: number;
}

interface Row {
  i: number;
  value: number;
  nonce: string;
}

function line(stdout: string, tag: string): string | undefined {
  const found = stdout.split("\n").find((l) => l.startsWith(`${tag} `) || l === tag);
  return found === undefined ? undefined : found.slice(tag.length + 1);
}

async function spawnUntilKilled(args: string[], delayMs: number): Promise<void> {
  const [command, argv] = scriptCommand(child, args);
  const proc = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let killed = false;
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      if (proc.pid) process.kill(proc.pid, "SIGKILL");
    }, CHILD_DEADLINE_MS);
    proc.stdout.on("data", (d) => {
      out += d;
      if (!killed && out.includes("READY\n")) {
        killed = true;
        setTimeout(() => {
          if (proc.exitCode === null && proc.pid) process.kill(proc.pid, "SIGKILL");
        }, delayMs);
      }
    });
    proc.stderr.resume();
    proc.once("error", reject);
    proc.once("close", () => {
      clearTimeout(deadline);
      resolve();
    });
  });
}

function sourceOf(backend: CrashBackend, dir: string): [source: string, schema: string] {
  return backend.kind === "pglite" ? [join(dir, "pglite"), "crash"] : [backend.url, backend.schema];
}

/**
 * Runs the workflow once, uninterrupted, in `dir`: the output every trial
 * must end with (nonces aside), and how long a run takes after READY.
 */
export async function baseline(
  backend: CrashBackend,
  dir: string,
  durability: string,
): Promise<{ output: Omit<Row, "nonce">[]; runMs: number }> {
  mkdirSync(dir, { recursive: true });
  const [source, schema] = sourceOf(backend, dir);
  const log = join(dir, "baseline.log");
  // Twice: the first run also creates the database, and is not typical.
  let last: { stdout: string } | undefined;
  for (const n of [1, 2]) {
    const thread = `baseline-${n}-${randomBytes(6).toString("hex")}`;
    const args = ["run", source, schema, thread, log, durability];
    const result = await runScript(child, args, { deadlineMs: CHILD_DEADLINE_MS });
    if (result.code !== 0 || line(result.stdout, "RESULT") === undefined) {
      throw new Error(`the uninterrupted run failed (code ${result.code}):\n${result.stderr}`);
    }
    last = result;
  }
  const json = line(last!.stdout, "RESULT")!;
  const output = (JSON.parse(json) as Row[]).map(({ i, value }) => ({ i, value }));
  return { output, runMs: Number(line(last!.stdout, "RUNMS") ?? 100) };
}

/** One trial in `dir` (a PGlite data directory copied from the template, or a scratch dir). */
export async function trial(
  backend: CrashBackend,
  dir: string,
  expected: Omit<Row, "nonce">[],
  killDelayMs: number,
  durability: string,
): Promise<TrialResult> {
  const [source, schema] = sourceOf(backend, dir);
  const thread = `crash-${randomBytes(8).toString("hex")}`;
  const log = join(dir, `${thread}.log`);
  writeFileSync(log, "");
  const failures: string[] = [];
  await spawnUntilKilled(["run", source, schema, thread, log, durability], killDelayMs);
  const next = await runScript(child, ["continue", source, schema, thread, log, durability], {
    deadlineMs: CHILD_DEADLINE_MS,
  });
  const kind = (line(next.stdout, "KIND") ?? "mid") as TrialResult["kind"];
  const persistedJson = line(next.stdout, "PERSISTED");
  const resultJson = line(next.stdout, "RESULT");
  if (next.code !== 0 || persistedJson === undefined || resultJson === undefined) {
    failures.push(`the continuing process failed (code ${next.code}): ${next.stderr.slice(-2000)}`);
    return { kind, reruns: 0, killDelayMs, failures };
  }
  const persisted = JSON.parse(persistedJson) as { i: number; nonce: string }[];
  const output = JSON.parse(resultJson) as Row[];
  const executions = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [i, nonce] = l.split(" ");
      return { i: Number(i), nonce: nonce! };
    });

  const plain = output.map(({ i, value }) => ({ i, value }));
  if (JSON.stringify(plain) !== JSON.stringify(expected))
    failures.push(`output differs from the uninterrupted run's: ${JSON.stringify(plain)}`);
  for (const { i, nonce } of persisted) {
    if (output[i]?.nonce !== nonce)
      failures.push(`task ${i}: its stored result (${nonce}) was not the one the run ended with`);
  }
  const count = new Map<number, number>();
  for (const { i } of executions) count.set(i, (count.get(i) ?? 0) + 1);
  for (let i = 0; i < expected.length; i++) {
    const last = executions.filter((e) => e.i === i).at(-1);
    if (!last) failures.push(`task ${i} never ran`);
    else if (output[i]?.nonce !== last.nonce)
      failures.push(`task ${i}: the output is not its last execution's result`);
  }
  const reruns = executions.length - expected.length;
  if (durability === "sync") {
    // The task in flight is the first one without a stored result.
    const stored = new Set(persisted.map((p) => p.i));
    const inFlight = expected.findIndex(({ i }) => !stored.has(i));
    for (const [i, n] of count) {
      if (n > 1 && (i !== inFlight || n > 2))
        failures.push(`task ${i} ran ${n} times (only task ${inFlight}, in flight, may run twice)`);
    }
  }
  return { kind, reruns, killDelayMs, failures };
}

/**
 * `trials` trials, `concurrency` at a time, each killed after a random delay
 * in [0, 1.3 × the run's time] from READY.
 */
export async function runCrashTrials(options: {
  backend: CrashBackend;
  trials: number;
  concurrency: number;
  workDir: string;
  durability?: string;
  onTrial?: (n: number, result: TrialResult) => void;
}): Promise<CrashSummary> {
  const started = performance.now();
  const durability = options.durability ?? "sync";
  const { backend, workDir } = options;
  const template = join(workDir, "template");
  const { output, runMs } = await baseline(backend, template, durability);
  const kinds = { before: 0, mid: 0, after: 0 };
  const failures: string[] = [];
  let reruns = 0;
  let maxReruns = 0;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= options.trials) return;
      const dir = join(workDir, `trial-${n}`);
      // PGlite is one process per directory: each trial works on a copy of
      // the template (already created and migrated).
      if (backend.kind === "pglite") cpSync(template, dir, { recursive: true });
      else mkdirSync(dir, { recursive: true });
      const delay = Math.random() * runMs * 1.3;
      const result = await trial(backend, dir, output, delay, durability);
      kinds[result.kind]++;
      reruns += result.reruns;
      maxReruns = Math.max(maxReruns, result.reruns);
      for (const f of result.failures) failures.push(`trial ${n} (${result.kind}): ${f}`);
      options.onTrial?.(n, result);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return {
    trials: options.trials,
    kinds,
    reruns,
    maxRerunsPerTrial: maxReruns,
    failures,
    ms: performance.now() - started,
  };
}
