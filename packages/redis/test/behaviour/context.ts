import type { Cluster, Redis } from "ioredis";
import type { RedisSaver } from "../../src/index.js";

/** What a behaviour run needs: a client on the storage under test, and how to release it. */
export interface BehaviourTarget {
  label: string;
  client(): Redis | Cluster | Promise<Redis | Cluster>;
  release(client: Redis | Cluster): Promise<void> | void;
}

/**
 * What every topic of the behaviour suite shares: the client and saver (set
 * in the suite's `beforeAll`, so read them inside hooks and tests), the key
 * prefix, and fresh thread ids.
 */
export interface BehaviourContext {
  client: Redis | Cluster;
  saver: RedisSaver;
  readonly prefix: string;
  thread(label?: string): string;
}

/** Commands one saver call sends, by name, counted at ioredis' sendCommand. */
export function recordCommands(client: Redis | Cluster): { names: string[]; stop(): void } {
  const names: string[] = [];
  const target = client as unknown as { sendCommand: (cmd: { name: string }) => unknown };
  const original = target.sendCommand;
  target.sendCommand = function (this: unknown, cmd: { name: string }, ...rest: unknown[]) {
    names.push(cmd.name.toLowerCase());
    return (original as (...a: unknown[]) => unknown).call(this, cmd, ...rest);
  } as typeof original;
  return {
    names,
    stop() {
      target.sendCommand = original;
    },
  };
}
