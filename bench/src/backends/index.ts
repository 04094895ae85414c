// Every backend the benchmark knows, in the order a full run takes them.
import type { Backend } from "./backend.js";
import { memory } from "./memory.js";
import { pglite } from "./pglite.js";
import { postgresServer } from "./postgres.js";
import { redis } from "./redis.js";

export type { Backend, OpenBackend } from "./backend.js";

export const BACKENDS: readonly Backend[] = [memory, pglite, postgresServer, redis];
