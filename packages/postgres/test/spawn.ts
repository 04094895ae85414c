// Runs a TypeScript script of this package in a child process, as a user
// would run it (node with tsx, resolving workspace packages to their src).
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** How a child ended: its exit code or signal, its output, and how long it ran. */
export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** True when it was still running at the deadline and was killed. */
  timedOut: boolean;
}

/** The command line that runs `script` (an absolute path) with `args`. */
export function scriptCommand(script: string, args: string[]): [string, string[]] {
  return [process.execPath, ["--import", tsx, "--conditions=@savepoint/source", script, ...args]];
}

/**
 * Runs `script` and resolves when it ends, or kills it (by its pid) at
 * `deadlineMs` and says so.
 */
export function runScript(
  script: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; deadlineMs: number },
): Promise<ScriptResult> {
  const [command, argv] = scriptCommand(script, args);
  const started = performance.now();
  const child = spawn(command, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(child.pid, "SIGKILL");
  }, options.deadlineMs);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
}
