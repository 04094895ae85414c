// Extracts the TypeScript code blocks of the guides so a test can type-check
// and run them. A block's fence says what it is:
//
//   ```ts                     type-checked
//   ```ts run                 type-checked, then run with tsx (must exit 0)
//   ```ts file=workflow.ts    saved under that name, so later blocks can import it;
//                             blocks with the same name are parts of one file, in order
//   ```ts fragment            not checked (keep these rare)
//
// Blocks of one document share a directory and run in document order, in that
// directory, so a later block can import an earlier one or read what it saved.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

export interface Sample {
  /** The markdown file, relative to docs/. */
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The file name the block is saved as. */
  file: string;
  run: boolean;
  fragment: boolean;
  code: string;
}

export const DOCS_DIR = join(import.meta.dirname, "..");

/** The markdown documents of the site: the landing page, the guides and the benchmarks page. */
export function documents(): string[] {
  const guides = readdirSync(join(DOCS_DIR, "guides"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `guides/${name}`);
  return ["index.md", ...guides, "benchmarks.md"];
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;

export function extractSamples(doc: string, markdown: string): Sample[] {
  const lines = markdown.split("\n");
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const close = lines.findIndex(
      (l, j) => j > i && l.trim().startsWith(fence!) && l.trim().replace(/[`~]/g, "") === "",
    );
    if (close === -1) throw new Error(`${doc}:${i + 1}: code fence is never closed`);
    if (lang === "ts" || lang === "typescript") {
      const meta = rest!.trim().split(/\s+/).filter(Boolean);
      const file = meta.find((m) => m.startsWith("file="))?.slice(5);
      const code = lines
        .slice(i + 1, close)
        .map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l))
        .join("\n");
      samples.push({
        doc,
        line: i + 1,
        file: file ?? `${basename(doc, ".md")}-line-${i + 1}.ts`,
        run: meta.includes("run"),
        fragment: meta.includes("fragment"),
        code,
      });
    }
    i = close;
  }
  return samples;
}

export function readSamples(doc: string): Sample[] {
  return extractSamples(doc, readFileSync(join(DOCS_DIR, doc), "utf8"));
}
