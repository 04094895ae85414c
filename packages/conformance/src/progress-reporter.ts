import type { Reporter, TestCase, TestModule, TestSuite } from "vitest/node";

/**
 * Pass, fail and skip counts of a run or of one group.
 *
 * @example
 * ```ts
 * const counts: ConformanceCounts = { passed: 110, failed: 0, skipped: 0 };
 * ```
 */
export interface ConformanceCounts {
  /** Tests that passed. */
  passed: number;
  /** Tests that failed. */
  failed: number;
  /** Tests skipped (for example, conditional-put tests of a saver without that capability). */
  skipped: number;
}

/**
 * The `N passed, N failed` line the CLI ends with (`, N skipped` when any were).
 *
 * @example
 * ```ts
 * summaryLine({ passed: 110, failed: 0, skipped: 2 }); // "110 passed, 0 failed, 2 skipped"
 * ```
 */
export function summaryLine(counts: ConformanceCounts): string {
  const line = `${counts.passed} passed, ${counts.failed} failed`;
  return counts.skipped > 0 ? `${line}, ${counts.skipped} skipped` : line;
}

function countTests(suite: TestSuite | TestModule): ConformanceCounts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const test of suite.children.allTests()) {
    const state = test.result().state;
    if (state === "passed") counts.passed++;
    else if (state === "failed") counts.failed++;
    else if (state === "skipped") counts.skipped++;
  }
  return counts;
}

function firstLines(text: string, n: number): string {
  return text.split("\n").slice(0, n).join("\n      ");
}

/**
 * A vitest reporter that prints one line per conformance group as the group
 * finishes (its pass, fail and skip counts), each failed test with the first
 * lines of its error, the notes of skipped tests, and at the end the
 * {@link summaryLine}. The CLI uses it; it works with any vitest run of the
 * suite.
 *
 * @example
 * ```ts
 * import { startVitest } from "vitest/node";
 * const reporter = new ConformanceProgressReporter();
 * await startVitest("test", [], { reporters: [reporter], watch: false });
 * reporter.totals; // { passed, failed, skipped }
 * ```
 */
export class ConformanceProgressReporter implements Reporter {
  /** Totals over the whole run; `failed` includes files that failed to load. */
  readonly totals: ConformanceCounts = { passed: 0, failed: 0, skipped: 0 };
  private readonly write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.write = write;
  }

  onTestModuleCollected(module: TestModule): void {
    for (const suite of module.children.suites()) {
      this.write(`${suite.name}`);
    }
  }

  onTestSuiteResult(suite: TestSuite): void {
    // A group is a describe directly inside the suite's top-level describe.
    if (suite.parent.type !== "suite" || suite.parent.parent.type !== "module") return;
    const counts = countTests(suite);
    const total = counts.passed + counts.failed + counts.skipped;
    if (total === 0) return;
    const mark = counts.failed > 0 ? "✗" : "✓";
    this.write(`  ${mark} ${suite.name.padEnd(12)} ${summaryLine(counts)}`);
    for (const test of suite.children.allTests("failed")) this.reportFailure(test, suite);
    const notes = new Set<string>();
    for (const test of suite.children.allTests("skipped")) {
      const result = test.result();
      if (result.state === "skipped" && result.note) notes.add(result.note);
    }
    for (const note of notes) this.write(`      skipped: ${note}`);
  }

  private reportFailure(test: TestCase, group: TestSuite): void {
    const name = test.fullName.slice(group.fullName.length).replace(/^ > /, "");
    this.write(`      ✗ ${name}`);
    for (const error of test.result().errors ?? []) {
      this.write(`        ${firstLines(error.message ?? String(error), 6)}`);
    }
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<{ message?: string; name?: string }>,
  ): void {
    for (const module of modules) {
      const counts = countTests(module);
      this.totals.passed += counts.passed;
      this.totals.failed += counts.failed;
      this.totals.skipped += counts.skipped;
      for (const error of module.errors()) {
        this.totals.failed++;
        this.write(`  ✗ the suite could not run: ${firstLines(error.message ?? String(error), 8)}`);
      }
    }
    for (const error of unhandledErrors) {
      this.totals.failed++;
      this.write(`  ✗ unhandled error: ${firstLines(error.message ?? String(error), 8)}`);
    }
    this.write(summaryLine(this.totals));
  }
}
