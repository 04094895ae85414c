import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Private redis-server processes for tests and the benchmark: loopback only,
// free ports, a temp dir each, stopped by pid. Every child is also killed if
// the test process exits without stopping it, so no server outlives a run.

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {}
    }
  }
});

/** A port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free port whose Cluster bus port (port + 10000) is free too. */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await freePort();
    if (port + 10_000 < 65_536 && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair (port, port + 10000) on 127.0.0.1");
}

/** One inline RESP exchange; true when the server answers PING (PONG, or NOAUTH with a password set). */
export async function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Port to listen on; a free one by default. */
  port?: number;
  /** Working dir (AOF, nodes.conf); a fresh temp dir by default, removed by `stop()`. */
  dir?: string;
  /** More `--name value` arguments for redis-server. */
  args?: string[];
}

/** A redis-server child process. */
export interface RedisServerProcess {
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  readonly url: string;
  /** SIGKILL, no chance to flush or clean up: a crash. Waits for the exit. */
  crash(): Promise<void>;
  /** SIGTERM (then SIGKILL after 5 s), waits for the exit; removes the dir if it made it. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 with persistence off unless `args` turn
 * it on, and waits until it answers PING.
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerProcess> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "savepoint-redis-")));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--protected-mode",
    "no",
    ...(options.args ?? []),
  ];
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => children.delete(child));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    const failure =
      child.exitCode !== null
        ? `exited with ${child.exitCode}`
        : Date.now() > deadline
          ? "did not answer PING within 10 s"
          : undefined;
    if (failure) {
      if (child.exitCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server on port ${port} ${failure}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const pid = child.pid!;
  const waitExit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, signal);
    await exited;
  };
  return {
    port,
    dir,
    pid,
    url: `redis://127.0.0.1:${port}`,
    async crash() {
      await waitExit("SIGKILL");
    },
    async stop() {
      const timer = setTimeout(() => {
        if (child.exitCode === null) process.kill(pid, "SIGKILL");
      }, 5_000);
      try {
        await waitExit("SIGTERM");
      } finally {
        clearTimeout(timer);
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
