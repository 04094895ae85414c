import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// Test scripts run as a user would run them: a separate Node process that
// loads TypeScript through tsx and workspace packages from their sources
// (the "@savepoint/source" condition), like examples/essay-review's demo.

/** The package directory, where scripts run. */
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Starts `script` (a path under the package) with `args` in a new Node process. */
export function spawnScript(
  script: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): ChildProcess {
  return spawn(
    process.execPath,
    ["--conditions=@savepoint/source", "--import", "tsx", script, ...args],
    { cwd: PACKAGE_DIR, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** How a script ended. */
export interface ScriptOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  ms: number;
  /** True when it did not exit on its own within the deadline and was killed (by pid). */
  timedOut: boolean;
}

/** Waits for a spawned script to exit, killing it by pid after `deadlineMs`. */
export function outcomeOf(child: ChildProcess, deadlineMs: number): Promise<ScriptOutcome> {
  const started = Date.now();
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    }, deadlineMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** Runs a script to its end (or its deadline). */
export function runScript(
  script: string,
  args: readonly string[],
  deadlineMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<ScriptOutcome> {
  return outcomeOf(spawnScript(script, args, env), deadlineMs);
}
