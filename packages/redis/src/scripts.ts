import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { TOUCH } from "./expiry-lua.js";
import { CHECKPOINT_BLOBS, TAIL_BASE } from "./records.js";
import { READ_THREAD_RECORD, THREAD_PAGE, THREAD_RAISE, THREAD_UPDATE } from "./thread-lua.js";

// The Lua lives here as template strings rather than .lua files so the build
// ships it without a copy step and tests run it straight from src/.
//
// Every thread script but putWritesPlain takes the thread's eight keys as
// KEYS, in the order of ThreadKeys.all: byNamespace, byId, checkpoints,
// metadata, writes, writeIndex, channelValues, record; put and putWrites carrying a thread
// update on one Redis take the workflow's five listing sets after them
// (KEYS[9..13], see thread-lua.ts), and with a ttl on one Redis the idle set
// and workflows hash last (see expiry-lua.ts). Members and fields are hex
// parts joined by "!"; `"` ends a prefix range. The "retention argument" of
// a script is options.ts' retentionArguments: "0" for no ttl.

// The fields of writes attached to checkpoint member `m` are one lex range of
// the write index, so reading them never scans other checkpoints' writes.
// Returns field, record, field, record...: the field names the task of a
// write whose record is too damaged to say.
const COLLECT_WRITES = `
local function collect(m)
  local fields = redis.call('ZRANGEBYLEX', KEYS[6], '[' .. m .. '!', '(' .. m .. '"')
  local out = {}
  for i = 1, #fields do
    local rec = redis.call('HGET', KEYS[5], fields[i])
    if rec then
      out[#out + 1] = fields[i]
      out[#out + 1] = rec
    end
  end
  return out
end
`;

// The channel value records checkpoint record `cp` of member `m` needs:
// the blob fields its header lists (see records.ts), under m's namespace in
// KEYS[7]. One entry per listed field, in order, false (nil) where nothing
// was stored. A record of the older format, or one too damaged to list
// anything, needs none; the reader then reports what is wrong with it.
const COLLECT_BLOBS = `
local function blobs(m, cp)
  local list = string.match(cp, '${CHECKPOINT_BLOBS}')
  local out = {}
  local sep = string.find(m, '!', 1, true)
  if not list or list == '' or not sep then return out end
  local ns = string.sub(m, 1, sep)
  local tails = {}
  for field in string.gmatch(list, '[^,]+') do
    local rec = redis.call('HGET', KEYS[7], ns .. field)
    out[#out + 1] = rec
    if rec then tails[#tails + 1] = rec end
  end
  -- A list stored as tails: each tail's base, in field order, down to its
  -- full copy (false where a base is missing, which the reader reports).
  for i = 1, #tails do
    local base = string.match(tails[i], '${TAIL_BASE}')
    local links = 0
    while base and links < 100000 do
      local rec = redis.call('HGET', KEYS[7], ns .. base)
      out[#out + 1] = rec
      links = links + 1
      base = rec and string.match(rec, '${TAIL_BASE}')
    end
  end
  return out
end
`;

// The indexes are derived from the checkpoint records: record `ns!cid` of
// KEYS[3] has `ns!cid` in KEYS[1] and `cid!ns` in KEYS[2]. An index smaller
// than the records (three O(1) counts) means entries were removed by hand or
// lost: they are rebuilt from the records, keeping the thread's expiry. An
// entry whose record is gone cannot be rebuilt; the reads report it.
const HEAL = `
local function heal()
  local n = redis.call('HLEN', KEYS[3])
  if redis.call('ZCARD', KEYS[1]) >= n and redis.call('ZCARD', KEYS[2]) >= n then return end
  local fields = redis.call('HKEYS', KEYS[3])
  for i = 1, #fields do
    local m = fields[i]
    local sep = string.find(m, '!', 1, true)
    if sep then
      redis.call('ZADD', KEYS[1], 0, m)
      redis.call('ZADD', KEYS[2], 0, string.sub(m, sep + 1) .. '!' .. string.sub(m, 1, sep - 1))
    end
  end
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
end
`;

/** `head(ns)`: the cid hex of namespace `ns`'s latest checkpoint (KEYS[1]), or "". */
export const HEAD = `
local function head(ns)
  local top = redis.call('ZREVRANGEBYLEX', KEYS[1], '(' .. ns .. '"', '[' .. ns .. '!', 'LIMIT', 0, 1)
  if top[1] then return string.sub(top[1], #ns + 2) end
  return ''
end
`;

/**
 * put: ARGV = ns, cid, checkpoint record, metadata record, mode ("" | "null"
 * | "id"), expected head cid, retention argument, parent cid or "", "1" when every
 * channel of the checkpoint is sent (else "0": those newVersions names),
 * the thread update (a count n, then n arguments: see thread-lua.ts; 0 for
 * none), then pairs of (blob field "channel!version", channel value record),
 * each kept only if that (channel, version) has no value yet. Returns {1,
 * created, thread record's updatedAt or 0, touch time or 0, workflow or "",
 * how many channel values were new}, {0, actual head cid or ""}, {2, head
 * cid} when the index's head has no record, {3} when the parent's record has
 * its channel values inline (written before they were stored apart): its
 * channels have no values of their own, so the put must send them all, or
 * {4} when a list tail's base is not stored (pruned or deleted since the
 * saver saw it): the put must send its lists whole. Nothing is written
 * unless the reply is {1, ...}. The head check and the writes are one
 * script, so of two puts racing on the same expected head exactly one
 * commits, with its channel values and its thread record.
 */
const PUT = `${TOUCH}${HEAD}${HEAL}${THREAD_UPDATE}
local ns, cid, mode = ARGV[1], ARGV[2], ARGV[5]
if mode ~= '' then
  heal()
  local current = head(ns)
  if current ~= '' and redis.call('HEXISTS', KEYS[3], ns .. '!' .. current) == 0 then
    return {2, current}
  end
  if mode == 'null' then
    if current ~= '' then return {0, current} end
  elseif current ~= ARGV[6] then
    return {0, current}
  end
end
for i = 11 + tonumber(ARGV[10]), #ARGV, 2 do
  local base = string.match(ARGV[i + 1], '${TAIL_BASE}')
  if base and redis.call('HEXISTS', KEYS[7], ns .. '!' .. base) == 0 then return {4} end
end
if ARGV[9] == '0' and ARGV[8] ~= '' then
  local parent = redis.call('HGET', KEYS[3], ns .. '!' .. ARGV[8])
  if parent and string.sub(parent, 1, 3) == '[1,' then return {3} end
end
local created = 0
if redis.call('EXISTS', KEYS[2]) == 0 then created = 1 end
local m = ns .. '!' .. cid
redis.call('ZADD', KEYS[1], 0, m)
redis.call('ZADD', KEYS[2], 0, cid .. '!' .. ns)
redis.call('HSET', KEYS[3], m, ARGV[3])
redis.call('HSET', KEYS[4], m, ARGV[4])
local blobs = 11 + tonumber(ARGV[10])
local stored = 0
for i = blobs, #ARGV, 2 do stored = stored + redis.call('HSETNX', KEYS[7], ns .. '!' .. ARGV[i], ARGV[i + 1]) end
local updated = thread_update(10, cid, false)
local touched, workflow = touch(ARGV[7])
return {1, created, updated, touched, workflow or '', stored}
`;

// `store(first, w, wi)` stores the (field suffix, "1" to replace or "0" to
// keep the first, record) triples of ARGV from index `first` on, under the
// field base ARGV[1], in writes hash `w` and its index `wi`; returns how many
// it stored. Both putWrites scripts end in it.
const STORE_WRITES = `
local function store(first, w, wi)
  local base = ARGV[1]
  local stored = 0
  for i = first, #ARGV, 3 do
    local field = base .. ARGV[i]
    local put = 1
    if ARGV[i + 1] == '1' then
      redis.call('HSET', w, field, ARGV[i + 2])
    else
      put = redis.call('HSETNX', w, field, ARGV[i + 2])
    end
    if put == 1 then
      redis.call('ZADD', wi, 0, field)
      stored = stored + 1
    end
  end
  return stored
end
`;

/**
 * putWrites: ARGV = field base ("ns!cid!"), retention argument, cid, "1"
 * when the writes hold an `__interrupt__` write in the root namespace (the
 * record's `x` then names cid: see expiry-lua.ts) else "0", the thread
 * update (a count n, then n arguments: see thread-lua.ts; 0 for none), then
 * triples of (field suffix "task!idx", "1" to replace or "0" to keep the
 * first, record). The thread update applies only if the record names cid:
 * a run whose checkpoint is no longer the thread's latest cannot change its
 * status. Returns {writes stored, thread record's updatedAt or 0, touch
 * time or 0, workflow or ""}.
 */
const PUT_WRITES = `${TOUCH}${THREAD_UPDATE}${STORE_WRITES}
local stored = store(6 + tonumber(ARGV[5]), KEYS[5], KEYS[6])
if ARGV[4] == '1' then redis.call('HSET', KEYS[8], 'x', ARGV[3]) end
local updated = thread_update(5, ARGV[3], true)
local touched, workflow = touch(ARGV[2])
return {stored, updated, touched, workflow or ''}
`;

/**
 * putWritesPlain: KEYS = the thread's writes hash and write index (in that
 * order); ARGV = field base ("ns!cid!"), then putWrites' triples. Returns
 * the writes stored. The task write of nearly every task: no thread update,
 * no `__interrupt__` in the root namespace and no ttl, where putWrites
 * would only store the writes. Two keys instead of eight, one argument
 * before the triples instead of five, and no idle clock or record code to
 * run: every task pays this call, so it is kept to what a task write needs
 * (see the benchmarks' W2 against a raw SET).
 */
const PUT_WRITES_PLAIN = `${STORE_WRITES}
return store(2, KEYS[1], KEYS[2])
`;

/**
 * get: ARGV = ns, cid ("" for the latest), retention argument of a read ("0": no refresh).
 * Returns {1, member, checkpoint record, metadata record, {field, write
 * record, ...}, {channel value record or nil, ...}}; nil when there is no
 * such checkpoint; {0, member, part}
 * when the checkpoint is listed (or is the head) but its "checkpoint" or
 * "metadata" record is missing.
 */
const GET = `${TOUCH}${HEAD}${HEAL}${COLLECT_WRITES}${COLLECT_BLOBS}
local ns, cid = ARGV[1], ARGV[2]
local latest = cid == ''
if latest then
  heal()
  cid = head(ns)
  if cid == '' then return false end
end
local m = ns .. '!' .. cid
local cp = redis.call('HGET', KEYS[3], m)
if not cp then
  if latest or redis.call('ZSCORE', KEYS[1], m) then return {0, m, 'checkpoint'} end
  return false
end
local md = redis.call('HGET', KEYS[4], m)
if not md then return {0, m, 'metadata'} end
local writes = collect(m)
touch(ARGV[3])
return {1, m, cp, md, writes, blobs(m, cp)}
`;

/**
 * list: ARGV = "ns" (range of byNamespace) or "all" (range of byId), max,
 * min (ZREVRANGEBYLEX bounds), count, "1" to include checkpoint records and
 * writes or "0" for metadata only, retention argument of a read (a page
 * that found nothing touches nothing, so a read never makes a record).
 * Returns a list of {index member, member "ns!cid", metadata record,
 * checkpoint record or "", {field, write record, ...}, {channel value
 * record or nil, ...}}. Entries whose
 * metadata record is gone are left out, as are (by the caller) those whose
 * checkpoint record is gone: a gap the runtime reports as broken history.
 */
const LIST = `${TOUCH}${COLLECT_WRITES}${COLLECT_BLOBS}
local key = KEYS[1]
if ARGV[1] == 'all' then key = KEYS[2] end
local members = redis.call('ZREVRANGEBYLEX', key, ARGV[2], ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for i = 1, #members do
  local im = members[i]
  local m = im
  if ARGV[1] == 'all' then
    local sep = string.find(im, '!', 1, true)
    m = string.sub(im, sep + 1) .. '!' .. string.sub(im, 1, sep - 1)
  end
  local md = redis.call('HGET', KEYS[4], m)
  if md then
    if ARGV[5] == '1' then
      local cp = redis.call('HGET', KEYS[3], m)
      if cp then
        out[#out + 1] = {im, m, md, cp, collect(m), blobs(m, cp)}
      else
        out[#out + 1] = {im, m, md, '', {}, {}}
      end
    else
      out[#out + 1] = {im, m, md, '', {}, {}}
    end
  end
end
if #members > 0 then touch(ARGV[6]) end
return out
`;

/**
 * fetch: ARGV = members "ns!cid". Returns, per member, {checkpoint record or
 * "", {field, write record, ...}, {channel value record or nil, ...}}: the
 * bodies of a list page after filtering on metadata.
 */
const FETCH = `${COLLECT_WRITES}${COLLECT_BLOBS}
local out = {}
for i = 1, #ARGV do
  local cp = redis.call('HGET', KEYS[3], ARGV[i])
  if cp then out[i] = {cp, collect(ARGV[i]), blobs(ARGV[i], cp)} else out[i] = {'', {}, {}} end
end
return out
`;

/** exists: 1 when the thread has any checkpoint. */
const EXISTS = `return redis.call('EXISTS', KEYS[2])`;

/** A reply of a script called in Buffer mode. */
export type Reply = Buffer | number | null | Reply[];

/**
 * A Lua script called by its SHA1 (EVALSHA), falling back to EVAL when the
 * server has not seen it (NOSCRIPT): one round trip in the steady state, and
 * it works per node on a Cluster, where each node caches scripts on its own.
 *
 * @example
 * ```ts
 * const reply = await SCRIPTS.get.run(client, keys.all, [nsHex, "", "0"]);
 * ```
 */
export class Script {
  /** SHA1 of the source, as EVALSHA wants it. */
  readonly sha: string;

  constructor(
    /** Short name, for error messages. */
    readonly name: string,
    /** Lua source. */
    readonly source: string,
  ) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Runs the script with `keys` as KEYS and `args` as ARGV; replies come back as Buffers. */
  async run(
    client: Redis | Cluster,
    keys: readonly string[],
    args: readonly (string | Buffer | number)[],
  ): Promise<Reply> {
    try {
      return (await client.callBuffer("evalsha", this.sha, keys.length, ...keys, ...args)) as Reply;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return (await client.callBuffer("eval", this.source, keys.length, ...keys, ...args)) as Reply;
    }
  }
}

/**
 * The saver's scripts.
 *
 * @example
 * ```ts
 * await SCRIPTS.exists.run(client, keys.all, []);
 * ```
 */
export const SCRIPTS = {
  put: new Script("put", PUT),
  putWrites: new Script("putWrites", PUT_WRITES),
  putWritesPlain: new Script("putWrites", PUT_WRITES_PLAIN),
  get: new Script("get", GET),
  list: new Script("list", LIST),
  fetch: new Script("fetch", FETCH),
  exists: new Script("exists", EXISTS),
  threadRecord: new Script("threadRecord", READ_THREAD_RECORD),
  threadPage: new Script("threadPage", THREAD_PAGE),
  threadRaise: new Script("threadRaise", THREAD_RAISE),
} as const;
