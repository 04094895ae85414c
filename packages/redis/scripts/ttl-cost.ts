// What a ttl costs each write: the idle clock (the record's `w` and the
// per-prefix idle set) and the key expiry, against the same writes without
// a ttl, on one Redis and on a private 3-master Cluster (where the idle set
// is a follow-up command after the thread's script).
//
//   node --conditions=@savepoint/source --import tsx scripts/ttl-cost.ts [writes] [--no-cluster]
//
// Per configuration: `writes` (default 5000) task writes (putWrites of one
// small value) and `writes / 10` checkpoints (put), one at a time, on one
// thread each, in 5 rounds with the configurations interleaved (the machine
// may be shared); prints the median of the rounds' mean latencies and the
// commands a task write sends. The first round of each target only warms up. Uses REDIS_URL (default redis://127.0.0.1:6379) under a
// private key prefix it deletes afterwards.
import { performance } from "node:perf_hooks";
import { type Checkpoint, newCheckpointId, type ThreadTtl } from "@savepoint/core";
import { type Cluster, Redis } from "ioredis";
import { RedisSaver } from "../src/index.js";
import { recordCommands } from "../test/behaviour/context.js";
import { startCluster } from "../test/cluster.js";
import { deletePrefix, randomPrefix } from "../test/helpers.js";

const writes = Number(process.argv[2] ?? 5000);
const withCluster = !process.argv.includes("--no-cluster");
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TTLS: [string, ThreadTtl | undefined][] = [
  ["no ttl", undefined],
  ['ttl "delete"', { idle: "30d" }],
  ['ttl "keep-latest"', { idle: "30d", onExpire: "keep-latest" }],
];

const METADATA = { source: "loop" as const, step: 0, parents: {} };

function checkpoint(i: number): Checkpoint {
  return {
    v: 4,
    id: newCheckpointId(),
    ts: new Date().toISOString(),
    channel_values: { step: i },
    channel_versions: { step: String(i + 1) },
    versions_seen: {},
  };
}

async function measure(client: Redis | Cluster, ttl: ThreadTtl | undefined) {
  const prefix = randomPrefix("ttl-cost");
  const saver = new RedisSaver(client, { prefix, ttl });
  const threadId = "ttl-cost";
  let config = await saver.put(
    { configurable: { thread_id: threadId } },
    checkpoint(0),
    METADATA,
    {},
  );
  const puts = Math.max(1, Math.floor(writes / 10));
  let started = performance.now();
  for (let i = 1; i <= puts; i++) {
    config = await saver.put(config, checkpoint(i), METADATA, { step: String(i + 1) });
  }
  const put = (performance.now() - started) / puts;
  started = performance.now();
  for (let i = 0; i < writes; i++) await saver.putWrites(config, [["out", i]], `task-${i}`);
  const write = (performance.now() - started) / writes;
  const recorder = recordCommands(client);
  await saver.putWrites(config, [["out", -1]], "task-counted");
  recorder.stop();
  await deletePrefix(client, prefix);
  return { put, write, commands: recorder.names.join(", ") };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function report(client: Redis | Cluster, label: string) {
  for (const [, ttl] of TTLS) await measure(client, ttl); // warm-up
  const rounds = TTLS.map(() => [] as Awaited<ReturnType<typeof measure>>[]);
  for (let round = 0; round < 5; round++) {
    for (const [i, [, ttl]] of TTLS.entries()) rounds[i]!.push(await measure(client, ttl));
  }
  for (const [i, [name]] of TTLS.entries()) {
    const r = rounds[i]!;
    const put = median(r.map((x) => x.put)) * 1000;
    const write = median(r.map((x) => x.write)) * 1000;
    console.log(
      `${label.padEnd(10)} ${name.padEnd(18)} put ${put.toFixed(0).padStart(4)} µs   ` +
        `task write ${write.toFixed(0).padStart(4)} µs   commands per task write: ${r[0]!.commands}`,
    );
  }
}

const single = new Redis(url);
await report(single, "one Redis");
single.disconnect();
if (withCluster) {
  const cluster = await startCluster(3);
  const client = cluster.client();
  try {
    await report(client, "Cluster");
  } finally {
    client.disconnect();
    await cluster.stop();
  }
}
