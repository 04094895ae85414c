// docs/benchmarks.svg: a hand-built horizontal bar chart (log scale) of the
// ratios, with no charting dependency. Two panels: how many times faster
// Savepoint is than LangGraph.js (and DBOS), and how close Savepoint's
// per-task cost is to each store's physical anchor.
import { lgOverSp } from "./report.js";
import { BACKEND_LABELS, type Results } from "./results.js";
import { formatRatio } from "./stats.js";

interface Bar {
  label: string;
  value: number;
  color: string;
  /** A target drawn as a tick on the bar's row. */
  target?: number;
}

const WIDTH = 860;
const LABEL_W = 330;
const BAR_W = 400;
const ROW_H = 22;
const COLORS = { langgraph: "#2563eb", dbos: "#7c3aed", sync: "#059669", default: "#10b981" };

const NAMES: Record<string, string> = {
  W1: "W1 essay-review flow",
  W2: "W2 sequential",
  W3: "W3 100 parallel",
  W4: "W4 resume after 1,000",
  W5: "W5 history of 1,000",
};

const esc = (s: string) =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

function speedups(r: Results): Bar[] {
  const bars: Bar[] = [];
  for (const row of r.rows) {
    const name = `${BACKEND_LABELS[row.backend]} · ${NAMES[row.workload]}${row.workload === "W2" ? ` N=${row.n?.toLocaleString("en-US")}` : ""}`;
    const lg = lgOverSp(row);
    // W2 shows N = 1,000 only, where both finish comfortably; the flat-N
    // story is in the tables.
    if (row.workload === "W2" && row.n !== 1_000) continue;
    if (lg !== undefined) {
      bars.push({
        label: `${name}: LangGraph.js`,
        value: lg,
        color: COLORS.langgraph,
        ...(row.workload === "W1" ? { target: row.backend === "memory" ? 20 : 3 } : {}),
      });
    }
    const dbos = row.cells.dbos?.us;
    const sp = row.cells["sp:default"]?.us;
    if (dbos !== undefined && sp !== undefined) {
      bars.push({ label: `${name}: DBOS`, value: dbos / sp, color: COLORS.dbos });
    }
  }
  const sp10k = r.rss.find((x) => x.impl === "savepoint" && x.n === 10_000);
  const lg10k = r.rss.find((x) => x.impl === "langgraph" && x.n === 10_000);
  if (sp10k?.ms && lg10k?.ms) {
    bars.push({
      label: "memory · W2 sequential N=10,000: LangGraph.js",
      value: lg10k.ms / sp10k.ms,
      color: COLORS.langgraph,
    });
  }
  return bars;
}

function anchorRatios(r: Results): Bar[] {
  const bars: Bar[] = [];
  const limits: Record<string, number> = { pglite: 1.3, postgres: 1.3, redis: 1.5 };
  for (const row of r.rows) {
    if (row.workload !== "W2" || row.n !== 1_000 || !row.anchor) continue;
    const base = `${BACKEND_LABELS[row.backend]} per task ÷ ${row.anchor.name}`;
    const target = limits[row.backend];
    const sync = row.cells["sp:sync"]?.us;
    const def = row.cells["sp:default"]?.us;
    if (sync !== undefined) {
      bars.push({
        label: `${base} (sync)`,
        value: sync / row.anchor.us,
        color: COLORS.sync,
        ...(target ? { target } : {}),
      });
    }
    if (def !== undefined) {
      bars.push({
        label: `${base}${sync !== undefined ? " (default)" : ""}`,
        value: def / row.anchor.us,
        color: COLORS.default,
      });
    }
  }
  return bars;
}

function panel(
  title: string,
  note: string,
  bars: Bar[],
  y0: number,
): { svg: string; height: number } {
  const parts: string[] = [];
  parts.push(`<text x="12" y="${y0 + 18}" font-size="15" font-weight="600">${esc(title)}</text>`);
  parts.push(`<text x="12" y="${y0 + 36}" font-size="11" fill="#555">${esc(note)}</text>`);
  const top = y0 + 50;
  if (bars.length === 0) {
    parts.push(
      `<text x="12" y="${top + 14}" font-size="12" fill="#555">not measured in this run</text>`,
    );
    return { svg: parts.join("\n"), height: 80 };
  }
  // Log scale from 0.5x (or lower) to the next power of ten above the largest ratio.
  const lo = Math.min(0.5, ...bars.map((b) => b.value / 1.5));
  const hi =
    10 ** Math.ceil(Math.log10(Math.max(2, ...bars.map((b) => Math.max(b.value, b.target ?? 0)))));
  const x = (v: number) =>
    LABEL_W +
    (BAR_W * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const bottom = top + bars.length * ROW_H;
  for (let p = Math.ceil(Math.log10(lo)); p <= Math.log10(hi); p++) {
    const v = 10 ** p;
    const gx = x(v).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${bottom}" stroke="${v === 1 ? "#999" : "#e5e5e5"}"/>`,
    );
    parts.push(
      `<text x="${gx}" y="${bottom + 14}" font-size="10" fill="#666" text-anchor="middle">${v >= 1 ? v : v.toString()}x</text>`,
    );
  }
  bars.forEach((b, i) => {
    const y = top + i * ROW_H;
    const x0 = x(lo);
    const x1 = x(b.value);
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + 15}" font-size="11" text-anchor="end">${esc(b.label)}</text>`,
    );
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${ROW_H - 8}" fill="${b.color}" rx="2"/>`,
    );
    parts.push(
      `<text x="${(x1 + 5).toFixed(1)}" y="${y + 15}" font-size="11">${esc(formatRatio(b.value))}</text>`,
    );
    if (b.target !== undefined) {
      const tx = x(b.target).toFixed(1);
      parts.push(
        `<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + ROW_H - 1}" stroke="#dc2626" stroke-width="2"/>`,
      );
    }
  });
  return { svg: parts.join("\n"), height: bottom - y0 + 24 };
}

export function renderSvg(r: Results): string {
  const a = panel(
    "How many times faster Savepoint is (their time ÷ ours, log scale)",
    "Default durability on both sides; red tick = the issue's target. Higher is better for Savepoint.",
    speedups(r),
    8,
  );
  const b = panel(
    "Savepoint's per-task cost ÷ the store's physical anchor (W2, N = 1,000, log scale)",
    "1x would be the cost of the bare operation itself; red tick = target. Lower is closer to the limit.",
    anchorRatios(r),
    8 + a.height + 12,
  );
  const height = 8 + a.height + 12 + b.height + 24;
  const footer = `${r.date.slice(0, 10)} · ${r.machine.cpu} · ${r.machine.cores} cores · Node.js ${r.machine.node}${r.quick ? " · quick mode" : ""}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    a.svg,
    b.svg,
    `<text x="12" y="${height - 8}" font-size="10" fill="#777">${esc(footer)}</text>`,
    "</svg>",
    "",
  ].join("\n");
}
