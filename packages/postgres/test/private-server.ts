// A Postgres server of the test's own, on a free loopback port, in a temp
// directory: tests that kill a server cannot use the shared one. Started
// with initdb + pg_ctl (as the "postgres" user when the tests run as root,
// since initdb refuses root); killed with SIGKILL to its postmaster, as a
// crash would; stopped and removed by `stop()`, by pid.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The directory holding initdb and pg_ctl, or undefined when there is none. */
export function postgresBinDir(): string | undefined {
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (onPath) {
    const real = spawnSync("readlink", ["-f", onPath], { encoding: "utf8" }).stdout.trim();
    const dir = (real || onPath).replace(/\/initdb$/, "");
    if (existsSync(join(dir, "pg_ctl"))) return dir;
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

// initdb and postgres refuse to run as root; the tests may.
function asOwner(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ["runuser", ["-u", "postgres", "--", command, ...args]];
}

// The postmaster and its children (backends, background workers), from /proc.
function serverProcesses(postmaster: number): number[] {
  const pids = [postmaster];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function run(command: string, args: string[]): void {
  const [cmd, argv] = asOwner(command, args);
  execFileSync(cmd, argv, { stdio: "pipe", timeout: 60_000 });
}

// A killed postmaster is gone once it is not a process, or only a zombie
// waiting for its parent (init, in a container, may never reap it).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** A running private server: its URL, and how to kill, restart and stop it. */
export interface PrivateServer {
  readonly port: number;
  readonly url: string;
  /** The postmaster's pid, from postmaster.pid. */
  pid(): number;
  /** SIGKILL to the postmaster, as a crash; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: a server that hangs, connections open. */
  pause(): void;
  /** SIGCONT to what `pause` stopped. */
  resume(): void;
  /** Starts the server again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server (immediate) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts a private server (initdb into a temp directory, pg_ctl start on a
 * free port); the caller stops it.
 *
 * @example
 * ```ts
 * const server = await startPrivateServer(postgresBinDir()!);
 * await server.kill(); await server.start(); await server.stop();
 * ```
 */
export async function startPrivateServer(bin: string): Promise<PrivateServer> {
  const dir = mkdtempSync(join(tmpdir(), "savepoint-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  run(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pidOf = () => Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  let last = 0;
  let paused: number[] = [];

  const start = async () => {
    // After a SIGKILL, orphaned backends may still hold the old shared
    // memory for a moment; postgres refuses to start until they are gone.
    for (let attempt = 0; ; attempt++) {
      try {
        run(join(bin, "pg_ctl"), [
          "-D",
          data,
          "-o",
          options,
          "-l",
          join(dir, "log"),
          "-w",
          "start",
        ]);
        last = pidOf();
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  await start();

  const resume = () => {
    for (const pid of paused) {
      try {
        process.kill(pid, "SIGCONT");
      } catch {
        // Gone meanwhile.
      }
    }
    paused = [];
  };

  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    pid: () => last,
    async kill() {
      const pid = last;
      process.kill(pid, "SIGKILL");
      while (isAlive(pid)) await new Promise((r) => setTimeout(r, 10));
    },
    pause() {
      paused = serverProcesses(last);
      for (const pid of paused) process.kill(pid, "SIGSTOP");
    },
    resume,
    start,
    async stop() {
      if (paused.length > 0) resume();
      if (existsSync(join(data, "postmaster.pid")) && isAlive(last)) {
        try {
          run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
        } catch {
          if (isAlive(last)) process.kill(last, "SIGKILL");
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
