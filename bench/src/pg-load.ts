// Where a P1 round's time goes on the Postgres server: the CPU its
// processes used (from /proc, when the server runs on this machine), what
// its busy backends were waiting on (pg_stat_activity, sampled), and the
// WAL the round wrote. Node's own CPU is process.cpuUsage in throughput.ts.
import { readdirSync, readFileSync } from "node:fs";
import postgres from "postgres";
import { DATABASE_URL } from "./services.js";

// Linux reports utime and stime in clock ticks of USER_HZ, 100 on every
// architecture Node ships for.
const TICK_MS = 10;

/** CPU ms per postgres process now, by pid; undefined without /proc or a local server. */
export function postgresCpu(): Map<number, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone since the listing
    }
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
    // Fields after the command: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(close + 2).split(" ");
    out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
  }
  return out.size > 0 ? out : undefined;
}

/**
 * CPU ms the postgres processes used between two readings. A backend that
 * exited in between is not counted (its last reading is gone with it); one
 * that started counts whole.
 */
export function cpuBetween(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number | undefined {
  if (!before || !after) return undefined;
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** What the sampled busy backends were doing, as shares of all busy samples. */
export interface WaitShares {
  /** Running (no wait event). */
  cpu: number;
  /** Flushing or writing WAL at commit (IO:WALSync, IO:WALWrite, LWLock:WALWrite). */
  commit: number;
  /** Row and transaction locks (Lock:*), and other LWLocks. */
  lock: number;
  /** Waiting on the client in the middle of a statement, and anything else. */
  other: number;
  /** Busy backends per sample, on average. */
  busy: number;
}

const COMMIT_WAITS = new Set(["WALSync", "WALWrite", "WalSync", "WALFlush"]);

/** Samples pg_stat_activity every `everyMs` until `stop()`, over one connection of its own. */
export class WaitSampler {
  private readonly sql = postgres(DATABASE_URL, { onnotice: () => {}, max: 1 });
  private counts = { cpu: 0, commit: 0, lock: 0, other: 0, samples: 0 };
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly everyMs = 20) {}

  start(): void {
    this.counts = { cpu: 0, commit: 0, lock: 0, other: 0, samples: 0 };
    this.timer = setInterval(() => {
      this.pending = this.sample().catch(() => {});
    }, this.everyMs);
  }

  async stop(): Promise<WaitShares | undefined> {
    clearInterval(this.timer);
    await this.pending;
    const c = this.counts;
    const busy = c.cpu + c.commit + c.lock + c.other;
    if (busy === 0) return undefined;
    return {
      cpu: c.cpu / busy,
      commit: c.commit / busy,
      lock: c.lock / busy,
      other: c.other / busy,
      busy: busy / Math.max(1, c.samples),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sql.end({ timeout: 1 });
  }

  private async sample(): Promise<void> {
    const rows = await this.sql<{ type: string | null; event: string | null }[]>`
      SELECT wait_event_type AS type, wait_event AS event FROM pg_stat_activity
      WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`;
    this.counts.samples++;
    for (const { type, event } of rows) {
      if (type === null) this.counts.cpu++;
      else if (event !== null && COMMIT_WAITS.has(event)) this.counts.commit++;
      else if (type === "Lock" || type === "LWLock") this.counts.lock++;
      else this.counts.other++;
    }
  }
}

/** The server's WAL position in bytes, for what a round wrote. */
export async function walBytes(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ lsn: string }[]>`SELECT pg_current_wal_lsn() - '0/0' AS lsn`;
  return Number(row!.lsn);
}
