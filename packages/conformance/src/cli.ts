#!/usr/bin/env node
/**
 * `savepoint-conformance <module> [--group NAME]...`: runs the conformance
 * suite against the saver initializer a module default-exports (`.ts` or
 * `.js`; vitest transpiles TypeScript), printing each group's result as it
 * finishes and ending with `N passed, N failed`. Exits 1 when anything failed,
 * 2 on a usage error.
 *
 * @example
 * ```sh
 * npx savepoint-conformance ./my-saver.conformance.ts
 * npx savepoint-conformance ./my-saver.conformance.ts --group contract --group restart
 * ```
 *
 * @module
 */
import { summaryLine } from "./progress-reporter.js";
import { CLI_USAGE, type CliArguments, parseCliArguments, runConformance } from "./runner.js";

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(`${CLI_USAGE}\n`);
    return 0;
  }
  let args: CliArguments;
  try {
    args = parseCliArguments(argv, process.cwd());
  } catch (err) {
    process.stderr.write(`savepoint-conformance: ${(err as Error).message}\n\n${CLI_USAGE}\n`);
    return 2;
  }
  try {
    return await runConformance(args);
  } catch (err) {
    process.stderr.write(`savepoint-conformance: ${(err as Error).stack ?? String(err)}\n`);
    process.stdout.write(`${summaryLine({ passed: 0, failed: 1, skipped: 0 })}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// A saver that leaves a client open must not keep the CLI alive once the result is printed.
setTimeout(() => process.exit(code), 1000).unref();
