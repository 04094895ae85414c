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
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";

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

/**
 * Where sample files are written: inside node_modules, so they resolve
 * @savepoint/* like a user's code would, and neither git nor biome looks at them.
 */
export const SAMPLES_CACHE = join(DOCS_DIR, "node_modules", ".cache");

/** One file of a page's samples: a block, or several blocks that share a `file=` name. */
export interface SampleFile {
  doc: string;
  path: string;
  parts: { sample: Sample; firstLine: number }[];
  run: boolean;
}

/** The files one page's samples make in `dir`: fragments left out, blocks that share a name joined in order. */
export function sampleFiles(samples: Sample[], dir: string): SampleFile[] {
  const files: SampleFile[] = [];
  for (const sample of samples.filter((s) => !s.fragment)) {
    const path = join(dir, sample.file);
    let file = files.find((f) => f.path === path);
    if (!file) {
      file = { doc: sample.doc, path, parts: [], run: false };
      files.push(file);
    }
    const previous = file.parts.at(-1);
    const firstLine = previous ? previous.firstLine + previous.sample.code.split("\n").length : 0;
    file.parts.push({ sample, firstLine });
    file.run ||= sample.run;
  }
  return files;
}

/** Where line `line` (0-based) of the sample file at `path` comes from in the docs. */
export function sourceOf(files: SampleFile[], path: string, line: number): string {
  const file = files.find((f) => f.path === path);
  const part = file?.parts.findLast((p) => p.firstLine <= line);
  return part
    ? `${part.sample.doc}:${part.sample.line + 1 + line - part.firstLine}`
    : relative(DOCS_DIR, path);
}

// Drivers the guides import directly are peer dependencies of the adapters:
// link the copies installed for the adapters where the samples resolve them.
const DRIVERS: [pkg: string, adapter: string][] = [
  ["postgres", "postgres"],
  ["@electric-sql/pglite", "postgres"],
  ["ioredis", "redis"],
];

/**
 * Empties `root` (a directory under {@link SAMPLES_CACHE}) and writes `files`
 * into it, as an ES module package that resolves the drivers the guides import.
 */
export function writeSampleTree(root: string, files: SampleFile[]): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "package.json"), '{ "type": "module", "private": true }\n');
  for (const [pkg, adapter] of DRIVERS) {
    const installed = join(DOCS_DIR, "..", "packages", adapter, "node_modules", pkg);
    if (!existsSync(installed)) continue;
    const link = join(root, "node_modules", pkg);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(installed), link, "dir");
  }
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, `${file.parts.map((p) => p.sample.code).join("\n")}\nexport {};\n`);
  }
}
