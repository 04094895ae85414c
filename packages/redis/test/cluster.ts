import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { freeClusterPort, type RedisServerProcess, startRedisServer } from "./server.js";

const run = promisify(execFile);

/** A running Redis Cluster of local redis-server processes. */
export interface LocalCluster {
  /** The masters' ports on 127.0.0.1. */
  readonly ports: readonly number[];
  /** The servers, by pid. */
  readonly servers: readonly RedisServerProcess[];
  /** A new ioredis Cluster client on these nodes (the caller closes it). */
  client(options?: ConstructorParameters<typeof Cluster>[1]): Cluster;
  /** Stops every node by pid and removes the temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts a real Redis Cluster of `masters` nodes (3 by default) on free
 * loopback ports from the `redis-server` binary: cluster mode on, no
 * persistence, slots spread by `redis-cli --cluster create`. Resolves once
 * every node reports `cluster_state:ok`.
 *
 * @example
 * ```ts
 * const cluster = await startCluster();
 * const client = cluster.client();
 * await client.set("k", "v");
 * client.disconnect();
 * await cluster.stop();
 * ```
 */
export async function startCluster(masters = 3): Promise<LocalCluster> {
  const root = await mkdtemp(join(tmpdir(), "savepoint-cluster-"));
  const servers: RedisServerProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freeClusterPort();
      const dir = await mkdtemp(join(root, `node-${port}-`));
      servers.push(
        await startRedisServer({
          port,
          dir,
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            join(dir, "nodes.conf"),
            "--cluster-node-timeout",
            "5000",
          ],
        }),
      );
    }
    const ports = servers.map((s) => s.port);
    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((p) => `127.0.0.1:${p}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { timeout: 30_000 },
    );
    await waitClusterOk(ports);
    return {
      ports,
      servers,
      client: (options) =>
        new Cluster(
          ports.map((port) => ({ host: "127.0.0.1", port })),
          options,
        ),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitClusterOk(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const port of ports) {
    const node = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await node.connect();
      for (;;) {
        const info = await node.cluster("INFO");
        if (/cluster_state:ok/.test(info) && /cluster_slots_assigned:16384/.test(info)) {
          // Every node must also know every other node, or redirections fail.
          const nodes = (await node.cluster("NODES")) as string;
          if (nodes.trim().split("\n").length >= ports.length && !/handshake|fail/.test(nodes))
            break;
        }
        if (Date.now() > deadline)
          throw new Error(`cluster node ${port} never reached cluster_state:ok: ${info}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      node.disconnect();
    }
  }
}
