// Rewriting one section of docs/benchmarks.md in place, for the studies
// that can be refreshed without the full run (S1, T1, T2).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PAGE = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));

/**
 * Replaces the section starting with `heading` (up to the next `## `) by
 * `section`; a page without it gets it before "## Targets".
 */
export function rewriteSection(heading: string, section: string): void {
  const page = readFileSync(PAGE, "utf8");
  const start = page.indexOf(heading);
  const next = start < 0 ? -1 : page.indexOf("\n## ", start + 1);
  const updated =
    start >= 0
      ? `${page.slice(0, start)}${section.trimEnd()}\n${next >= 0 ? page.slice(next) : ""}`
      : page.replace("## Targets", `${section.trimEnd()}\n\n## Targets`);
  writeFileSync(PAGE, updated);
}
