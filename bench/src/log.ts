// The run's console: a line per step on stderr, run-by-run detail only on a
// terminal (a log gets one line per case), figures on stdout.
import { progress, progressDone } from "./stats.js";

export const fmt = (n: number) => n.toLocaleString("en-US");

export function say(line: string): void {
  progressDone();
  console.error(`[bench] ${line}`);
}

export const detail = process.stderr.isTTY ? (note: string) => progress(`  ${note}`) : undefined;

/** An error as a failure records it: its stack where it has one. */
export function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
