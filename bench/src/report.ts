// Turns results into the terminal table, the target verdicts and
// docs/benchmarks.md. Everything here reads only the Results object, so the
// docs page can be regenerated from bench/results/latest.json alone.

import { renderRetention } from "./report-retention.js";
import { renderThreads, threadTargets } from "./report-threads.js";
import { renderCold, renderThroughput, throughputTargets } from "./report-throughput.js";
import {
  BACKEND_LABELS,
  IMPL_LABELS,
  type ImplId,
  type Results,
  type Row,
  type Target,
} from "./results.js";
import { formatRatio, formatUs } from "./stats.js";
import type { StorageResult } from "./storage.js";

const IMPLS: ImplId[] = ["sp:sync", "sp:default", "langgraph", "dbos"];
const fmt = (n: number) => n.toLocaleString("en-US");
const mb = (bytes: number | undefined) =>
  bytes === undefined ? "-" : `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;

/** LangGraph.js time over Savepoint's (default durability both): how many times faster ours is. */
export function lgOverSp(row: Row): number | undefined {
  const lg = row.cells.langgraph?.us;
  const sp = row.cells["sp:default"]?.us;
  return lg !== undefined && sp !== undefined ? lg / sp : undefined;
}

/** Savepoint's per-task cost over the anchor: sync where the backend has it. */
export function spOverAnchor(row: Row): number | undefined {
  if (!row.anchor) return undefined;
  const sp = row.cells["sp:sync"]?.us ?? row.cells["sp:default"]?.us;
  return sp !== undefined ? sp / row.anchor.us : undefined;
}

function cellText(row: Row, impl: ImplId): string {
  const cell = row.cells[impl];
  if (!cell) return "";
  if (cell.us === undefined) return cell.note ? `(${cell.note})` : "-";
  return `${formatUs(cell.us)}${cell.note ? ` (${cell.note})` : ""}`;
}

const HEAD = [
  "backend",
  "workload",
  "per",
  ...IMPLS.map((i) => IMPL_LABELS[i]),
  "LangGraph ÷ SP",
  "SP ÷ anchor",
];

function cells(row: Row): string[] {
  const anchorRatio = spOverAnchor(row);
  return [
    BACKEND_LABELS[row.backend],
    `${row.workload} ${row.param}`,
    row.unit,
    ...IMPLS.map((i) => cellText(row, i)),
    formatRatio(lgOverSp(row)),
    anchorRatio === undefined ? "" : `${formatRatio(anchorRatio)} ${row.anchor!.name}`,
  ];
}

/** One finished row, printed as soon as it is measured. */
export function rowLine(row: Row): string {
  const c = cells(row);
  const parts = IMPLS.filter((i) => row.cells[i]).map(
    (i) => `${IMPL_LABELS[i]} ${cellText(row, i)}`,
  );
  const ratios = [
    lgOverSp(row) !== undefined ? `LangGraph ÷ SP ${c[7]}` : "",
    row.anchor ? `SP ÷ anchor ${c[8]}` : "",
  ].filter(Boolean);
  return `  ${c[0]} ${c[1]}, per ${c[2]}: ${parts.join(" | ")}${ratios.length ? ` => ${ratios.join(", ")}` : ""}`;
}

function textTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cs: string[]) =>
    `| ${cs.map((c, i) => (c ?? "").padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(head),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...body.map(line),
  ].join("\n");
}

function anchorRows(r: Results): string[][] {
  const a = r.anchors;
  const out: string[][] = [];
  if (a.emptyCall !== undefined)
    out.push(["in process", "empty async function call", formatUs(a.emptyCall)]);
  if (a.pgliteInsert !== undefined)
    out.push(["PGlite", "single-row INSERT", formatUs(a.pgliteInsert)]);
  if (a.pgliteSelect !== undefined) out.push(["PGlite", "SELECT 1", formatUs(a.pgliteSelect)]);
  if (a.postgresInsert !== undefined)
    out.push(["PostgreSQL", "single-row INSERT", formatUs(a.postgresInsert)]);
  if (a.postgresSelect !== undefined)
    out.push(["PostgreSQL", "SELECT 1", formatUs(a.postgresSelect)]);
  if (a.redisSet !== undefined) out.push(["Redis", "SET", formatUs(a.redisSet)]);
  return out;
}

function rssRows(r: Results): string[][] {
  return r.rss.map((x) => [
    x.impl === "savepoint" ? "Savepoint" : "LangGraph.js",
    fmt(x.n),
    x.finished ? mb(x.growth) : `${mb(x.growth)} when stopped`,
    x.finished && x.ms !== undefined ? `${(x.ms / 1000).toFixed(2)} s` : (x.note ?? "-"),
    x.finished && x.ms !== undefined ? formatUs((x.ms * 1000) / x.n) : "-",
  ]);
}

function queryRows(r: Results): string[][] {
  return r.queries.map((q) => [q.durability, fmt(q.tasks), String(q.statements)]);
}

function targetRows(r: Results): string[][] {
  return r.targets.map((t) => [
    t.backend,
    t.goal,
    t.measured,
    t.met === null ? "not measured" : t.met ? "met" : "MISSED",
  ]);
}

/** Every table, as printed at the end of a run. */
export function renderTable(r: Results): string {
  const parts: string[] = [];
  parts.push(
    `Savepoint benchmarks: median µs per unit of ${r.runs} runs after a warm-up (runs alternate between implementations)`,
  );
  for (const s of r.skipped) parts.push(`!!! SKIPPED ${s.backend}: ${s.reason}`);
  for (const f of r.failures) parts.push(`!!! FAILED ${f.split("\n")[0]}`);
  parts.push("", "Physical anchors", textTable(["where", "operation", "time"], anchorRows(r)));
  parts.push("", "Workloads", textTable(HEAD, r.rows.map(cells)));
  if (r.rss.length) {
    parts.push(
      "",
      "W2 peak RSS growth (memory savers, one fresh process per case)",
      textTable(["implementation", "N", "peak RSS growth", "time", "per task"], rssRows(r)),
    );
  }
  if (r.queries.length) {
    parts.push(
      "",
      "W4 statements sent by one resume (PostgreSQL)",
      textTable(["durability", "finished tasks", "statements"], queryRows(r)),
    );
  }
  parts.push("", "Targets", textTable(["backend", "target", "measured", "verdict"], targetRows(r)));
  return parts.join("\n");
}

// ------------------------------------------------------------------ targets

function find(r: Results, backend: string, workload: string, n?: number): Row | undefined {
  return r.rows.find(
    (row) =>
      row.backend === backend && row.workload === workload && (n === undefined || row.n === n),
  );
}

export function targetsOf(r: Results): Target[] {
  const out: Target[] = [];
  const push = (
    backend: string,
    goal: string,
    measured: string | undefined,
    met: boolean | undefined,
  ) => out.push({ backend, goal, measured: measured ?? "not measured", met: met ?? null });

  // Memory: per-task overhead, flat from N = 100 to N = 100,000.
  const flat = r.rows
    .filter((row) => row.backend === "memory" && row.workload === "W2" && (row.n ?? 0) >= 100)
    .map((row) => ({ n: row.n!, us: row.cells["sp:default"]?.us }))
    .filter((x): x is { n: number; us: number } => x.us !== undefined);
  if (flat.length) {
    const max = Math.max(...flat.map((x) => x.us));
    const min = Math.min(...flat.map((x) => x.us));
    const empty = r.anchors.emptyCall ?? 0;
    // "Flat" means nothing per task grows with N. The per-run fixed cost
    // (reading the thread, its checkpoints) spreads over more tasks as N
    // grows, so the figure may fall; it must never rise.
    const sorted = [...flat].sort((a, b) => a.n - b.n);
    let growth = 0;
    for (let i = 1; i < sorted.length; i++)
      growth = Math.max(growth, sorted[i]!.us / sorted[i - 1]!.us);
    const lg1k = find(r, "memory", "W2", 1_000)?.cells.langgraph?.us;
    const lg10k = r.rss.find((x) => x.impl === "langgraph" && x.n === 10_000);
    const lgText = [
      lg1k !== undefined ? `LangGraph.js ${formatUs(lg1k)} at N = 1,000` : "",
      lg10k?.ms !== undefined ? `${formatUs((lg10k.ms * 1000) / lg10k.n)} at N = 10,000` : "",
    ]
      .filter(Boolean)
      .join(", ");
    push(
      "memory",
      "per-task overhead <= 10 µs, flat from N = 100 to N = 100,000",
      `${formatUs(min - empty)}–${formatUs(max - empty)} over N = ${flat.map((x) => fmt(x.n)).join(", ")} ` +
        `(largest growth from one N to the next ${growth.toFixed(2)}x; an empty async call is ${formatUs(empty)})${lgText ? `; ${lgText}` : ""}`,
      max - empty <= 10 && growth <= 1.25,
    );
  }
  const w1 = find(r, "memory", "W1");
  const w1Ratio = w1 ? lgOverSp(w1) : undefined;
  push(
    "memory",
    "W1 at least 20x faster than LangGraph.js",
    w1Ratio !== undefined
      ? `${formatRatio(w1Ratio)} (${formatUs(w1!.cells["sp:default"]!.us)} vs ${formatUs(w1!.cells.langgraph!.us)} per thread)`
      : undefined,
    w1Ratio !== undefined ? w1Ratio >= 20 : undefined,
  );
  const ours10k = r.rss.find((x) => x.impl === "savepoint" && x.n === 10_000);
  const lg10k = r.rss.find((x) => x.impl === "langgraph" && x.n === 10_000);
  push(
    "memory",
    "peak RSS growth under 100 MB at 10,000 tasks",
    ours10k?.growth !== undefined
      ? `${mb(ours10k.growth)} (LangGraph.js: ${lg10k ? `${mb(lg10k.growth)}${lg10k.finished ? "" : `, ${lg10k.note}`}` : "not measured"})`
      : undefined,
    ours10k?.finished && ours10k.growth !== undefined ? ours10k.growth < 100 * 2 ** 20 : undefined,
  );

  for (const [backend, limit, anchorName] of [
    ["pglite", 1.3, "raw INSERT"],
    ["postgres", 1.2, "raw INSERT"],
    ["redis", 1.5, "raw SET"],
  ] as const) {
    const row = find(r, backend, "W2", 1_000);
    const sync = row?.cells["sp:sync"]?.us;
    const def = row?.cells["sp:default"]?.us;
    const a = row?.anchor?.us;
    push(
      BACKEND_LABELS[backend],
      `per task (W2, N = 1,000) at most ${limit}x a ${anchorName}`,
      sync !== undefined && a !== undefined
        ? `sync ${formatRatio(sync / a)} (${formatUs(sync)} vs ${formatUs(a)}); default ${formatRatio((def ?? Number.NaN) / a)} (${formatUs(def)})`
        : undefined,
      sync !== undefined && a !== undefined ? sync / a <= limit : undefined,
    );
  }
  const pgW1 = find(r, "postgres", "W1");
  const pgRatio = pgW1 ? lgOverSp(pgW1) : undefined;
  push(
    "PostgreSQL",
    "W1 at least 3x faster than LangGraph.js's Postgres saver",
    pgRatio !== undefined
      ? `${formatRatio(pgRatio)} (${formatUs(pgW1!.cells["sp:default"]!.us)} vs ${formatUs(pgW1!.cells.langgraph!.us)} per thread; sync ${formatRatio(pgW1!.cells.langgraph!.us! / pgW1!.cells["sp:sync"]!.us!)})`
      : undefined,
    pgRatio !== undefined ? pgRatio >= 3 : undefined,
  );
  if (r.queries.length) {
    const byMode = ["sync", "async"].map((d) => r.queries.filter((q) => q.durability === d));
    const constant = byMode.every((qs) => qs.every((q) => q.statements === qs[0]?.statements));
    push(
      "PostgreSQL",
      "W4: a constant number of queries per resume",
      byMode
        .map(
          (qs) =>
            `${qs[0]?.durability}: ${qs.map((q) => `${q.statements} at ${fmt(q.tasks)}`).join(", ")}`,
        )
        .join("; "),
      constant,
    );
  } else push("PostgreSQL", "W4: a constant number of queries per resume", undefined, undefined);
  out.push(...threadTargets(r));
  out.push(...throughputTargets(r));
  return out;
}

// ------------------------------------------------------------------ markdown

function mdTable(head: string[], body: string[][]): string {
  const esc = (c: string) => c.replaceAll("|", "\\|");
  return [
    `| ${head.map(esc).join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...body.map((b) => `| ${b.map((c) => esc(c ?? "")).join(" | ")} |`),
  ].join("\n");
}

export function renderMarkdown(r: Results): string {
  const m = r.machine;
  const lines: string[] = [];
  // TypeDoc's front matter: the page sits under "Reference" in the docs site.
  lines.push("---", "group: Reference", "title: Benchmarks", "---", "");
  lines.push("# Benchmarks");
  lines.push("");
  lines.push(
    "<!-- Generated by bench/src/report.ts from bench/results/latest.json: edit the generator, not this file. -->",
  );
  lines.push("");
  lines.push(
    `Generated ${r.date.slice(0, 16).replace("T", " ")} UTC by \`${r.command}\`${r.quick ? " (quick mode: small N, fewer runs — a smoke check, not the figures to quote)" : ""}, ` +
      `in ${Math.round(r.durationS / 60)} min on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node.js ${m.node} (${m.os}); ` +
      `load average at the end ${m.load.join(" / ")}.`,
  );
  lines.push("");
  lines.push(
    "Savepoint and LangGraph.js run the same programs (only the imports differ) in the same process, " +
      "each from its built packages (`dist`, what `npm install` gives; `pnpm bench` builds ours first), " +
      `alternating run by run (ours, LangGraph.js, ours, …) after one warm-up run each; each figure is the median of ${r.runs} runs. ` +
      "Savepoint runs on every durable backend in `sync` durability (each task's write is awaited before the task returns) " +
      "and the default (`async`: the write is sent as the task settles, and awaited before the run returns or pauses). " +
      "LangGraph.js runs in its default durability. The machine is shared with other work, so single figures are noisy; the ratios, " +
      "measured side by side, are steadier.",
  );
  lines.push("");
  lines.push(
    "![Ratios: LangGraph.js time over Savepoint time, and Savepoint over the physical anchors](benchmarks.svg)",
  );
  lines.push("");
  for (const s of r.skipped) lines.push(`> **Skipped ${s.backend}:** ${s.reason}`, "");
  for (const f of r.failures) lines.push(`> **Failed:** ${f.split("\n")[0]}`, "");
  lines.push("## Workloads", "");
  lines.push(
    "- **W1** the essay-review flow (write an essay, pause for a reviewer, resume with the answer), one thread after another.",
  );
  lines.push(
    "- **W2** one run of N sequential tasks; the figure is per task, so a flat row means no per-task cost grows with N.",
  );
  lines.push("- **W3** one run of 100 tasks started at once (`Promise.all`); per task.");
  lines.push(
    "- **W4** resuming a thread paused after 1,000 finished tasks (which replay from the checkpoint); per resume.",
  );
  lines.push(
    "- **W5** reading the whole state history (`getStateHistory`) of a thread with 1,000 checkpoints; per read.",
  );
  lines.push("");
  lines.push("## Physical anchors", "");
  lines.push(
    "The cheapest operation of each store, one awaited after another, in the same run: the limit a per-task cost is read against.",
    "",
  );
  lines.push(mdTable(["where", "operation", "time"], anchorRows(r)));
  lines.push("");
  lines.push("## Results", "");
  lines.push(
    "Median time per unit. `LangGraph ÷ SP` is LangGraph.js's time over Savepoint's in the default durability (how many times faster Savepoint is); " +
      "`SP ÷ anchor` is Savepoint's per-task time (sync where the backend has it) over the backend's anchor, run right before each of Savepoint's runs (interleaved).",
    "",
  );
  const backends = [...new Set(r.rows.map((row) => row.backend))];
  for (const b of backends) {
    lines.push(`### ${BACKEND_LABELS[b]}`, "");
    lines.push(
      mdTable(
        HEAD.slice(1),
        r.rows.filter((row) => row.backend === b).map((row) => cells(row).slice(1)),
      ),
    );
    lines.push("");
  }
  if (r.rss.length) {
    lines.push("## Memory: W2 peak RSS", "");
    lines.push(
      "Each case runs in a fresh process (`bench/src/rss-worker.ts`) on a memory saver: a warm-up run of 100 tasks, a garbage collection, " +
        "then the measured run; the figure is the peak RSS (sampled every 5 ms, and the kernel's `maxRSS`) minus the RSS before the run. " +
        "A run still going at the cap is stopped and reported with the growth seen so far.",
      "",
    );
    lines.push(mdTable(["implementation", "N", "peak RSS growth", "time", "per task"], rssRows(r)));
    lines.push("");
  }
  if (r.queries.length) {
    lines.push("## W4: statements per resume", "");
    lines.push(
      "Statements postgres.js sends while one paused thread resumes (counted with its `debug` hook), by the number of tasks the thread had finished:",
      "",
    );
    lines.push(mdTable(["durability", "finished tasks", "statements"], queryRows(r)));
    lines.push("");
  }
  if (r.storage?.length) lines.push(renderStorage(r.storage), "");
  lines.push(...renderThreads(r));
  lines.push(...renderRetention(r));
  lines.push(...renderThroughput(r), ...renderCold(r));
  lines.push("## Targets", "");
  lines.push(mdTable(["backend", "target", "measured", "verdict"], targetRows(r)));
  lines.push("");
  lines.push("## Running it", "");
  lines.push(
    "```sh\npnpm bench                                  # everything (about 30 minutes on 2 cores)\npnpm bench -- --quick                       # smoke check: small N, 3 runs\npnpm bench -- --only memory,pglite --workloads W1,W2\n```",
    "",
  );
  lines.push(
    "PostgreSQL (`DATABASE_URL`, default `postgresql://postgres@127.0.0.1:5432/test`; schemas `savepoint_bench*`, and DBOS's system database " +
      "`dbos_bench_sys`, recreated each run) and Redis (`REDIS_URL`, default `redis://127.0.0.1:6379`; keys `savepoint_bench:*`) are used when " +
      "they answer; a backend that does not is skipped with a loud line. Results go to `bench/results/latest.json` and this page.",
  );
  lines.push("");
  return lines.join("\n");
}

const kb = (bytes: number | undefined) =>
  bytes === undefined ? "-" : bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(0)} KB` : mb(bytes);

// Bytes a turn adds: one decimal below 100 KB, so a small change shows.
const perTurn = (bytes: number) =>
  bytes < 100 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : kb(bytes);

/** The S1 section: bytes one long chat thread takes, and what its puts and reads cost, per saver. */
export function renderStorage(storage: readonly StorageResult[]): string {
  const turns = storage[0]?.turns ?? 0;
  const lg = storage.find((s) => s.saver.startsWith("LangGraph"));
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const rows = storage.map((s) => [
    s.saver,
    kb(s.bytes),
    s.fullCopyBytes === undefined
      ? "-"
      : `${kb(s.fullCopyBytes)} (${formatRatio(s.fullCopyBytes / s.bytes)})`,
    lg && s !== lg ? formatRatio(lg.bytes / s.bytes) : "-",
    s.storedFirstTenthPerTurn === undefined || s.storedLastTenthPerTurn === undefined
      ? "-"
      : `${perTurn(s.storedFirstTenthPerTurn)} → ${perTurn(s.storedLastTenthPerTurn)}`,
    `${ms(s.putFirstTenthMs)} → ${ms(s.putLastTenthMs)}`,
    `${ms(s.firstTenthMs)} → ${ms(s.lastTenthMs)}`,
    ms(s.readMs),
  ]);
  return [
    "## S1: storage of a long chat thread",
    "",
    `One LangGraph.js \`MessagesAnnotation\` thread of ${fmt(turns)} turns (a human message and a fake model's reply each), ` +
      "compiled with each saver as its checkpointer (`bench/src/storage.ts`; `pnpm --filter @savepoint/bench bench:storage -- --turns N`). " +
      "Savepoint's savers store the `messages` list as tails, each extending an earlier version up to 64 puts back, with a full copy only where a read would follow more than 64 links " +
      "(`listChainLimit`, core's `saver-kit/list-chains.ts`); the rows *lists whole* are the same savers with `listChainLimit: 0`, " +
      "every version of the list stored whole, as before. *Stored* is what the thread occupies: the sum of " +
      "`pg_column_size` over the saver's tables on Postgres and PGlite, `MEMORY USAGE` of its keys on Redis, the encoded values on " +
      "memory. *Full copies* is what storing every checkpoint's whole state would take: each checkpoint the " +
      "thread holds, encoded. Postgres and PGlite compress large values (TOAST); memory and Redis keep them as written, so compare " +
      "a saver with its own full copies and with LangGraph.js on the same store. *Stored per turn* is what the thread's storage grew by " +
      "per turn over the first and over the last tenth of the thread: what a turn writes, as stored. *Puts per turn* is the time the " +
      "saver's `put` calls of one turn took, *turn* the whole `invoke`: medians over the first and the last tenth of the thread. " +
      "Both times grow with the thread on every saver, and must: LangGraph.js hands each put the whole list and starts each turn " +
      "with a `getTuple` that returns the whole list, and a list element is an object that may have been changed in place since it " +
      "was stored, so a saver that stores only the tail has to read every element to know the stored prefix still holds (Savepoint's " +
      "savers encode the list once and compare its text; LangGraph.js's encode it whole). What a turn writes does not grow. *Read* is a `getTuple` of " +
      "the thread's head at the end (median of 21), which rebuilds the list from its chain in one query or script.",
    "",
    mdTable(
      [
        "saver",
        "stored",
        "full copies (x stored)",
        "LangGraph.js ÷ stored",
        "stored per turn, first → last tenth",
        "puts per turn, first → last tenth",
        "turn, first → last tenth",
        "read",
      ],
      rows,
    ),
  ].join("\n");
}
