// The Markdown table the sections of docs/benchmarks.md are written with.

/** A Markdown table of `head` over `body`'s rows; a `|` inside a cell is escaped. */
export function table(head: string[], body: string[][]): string {
  const esc = (c: string) => c.replaceAll("|", "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...body.map((b) => `| ${b.map(esc).join(" | ")} |`),
  ].join("\n");
}
