import { TOUCH } from "./expiry-lua.js";
import { CHECKPOINT_BLOBS, TAIL_BASE } from "./records.js";
import { HEAD, Script } from "./scripts.js";

// The Lua of retention: pruning, expiring and copying one thread (in its
// slot: KEYS are its eight keys in ThreadKeys.all order), and the idle
// sets (KEYS among IdleKeys, which share a slot of their own).
// Why each works as it does is in prune.ts, sweep.ts, copy.ts and
// idle-clock.ts; here are the ARGV contracts.

/**
 * `prune_plan(at)`: removes what a plan names, if it still holds. The plan
 * starts at ARGV[at]: a count of namespaces, then per namespace its hex, the
 * cid hex its head had when the plan was made, a count n and n cid hexes to
 * remove. Nothing changes (returns nil) when any namespace's head moved on.
 * Else each named checkpoint goes with its metadata, index entries and
 * writes, then every channel value of those namespaces that no remaining
 * checkpoint lists (records.ts: the blob fields in a checkpoint's header)
 * or builds a list from (the bases of a list stored as tails);
 * returns how many checkpoints were removed.
 */
const PRUNE_PLAN = `${HEAD}
local function prune_plan(at)
  local plans = {}
  local i = at + 1
  for _ = 1, tonumber(ARGV[at]) do
    if head(ARGV[i]) ~= ARGV[i + 1] then return nil end
    plans[#plans + 1] = {ARGV[i], i + 3, tonumber(ARGV[i + 2])}
    i = i + 3 + tonumber(ARGV[i + 2])
  end
  local removed = 0
  local pruned = {}
  for _, plan in ipairs(plans) do
    local ns = plan[1]
    pruned[ns] = true
    for j = plan[2], plan[2] + plan[3] - 1 do
      local cid = ARGV[j]
      local m = ns .. '!' .. cid
      if redis.call('ZREM', KEYS[1], m) + redis.call('HDEL', KEYS[3], m) > 0 then removed = removed + 1 end
      redis.call('ZREM', KEYS[2], cid .. '!' .. ns)
      redis.call('HDEL', KEYS[4], m)
      local fields = redis.call('ZRANGEBYLEX', KEYS[6], '[' .. m .. '!', '(' .. m .. '"')
      for f = 1, #fields do redis.call('HDEL', KEYS[5], fields[f]) end
      if #fields > 0 then redis.call('ZREMRANGEBYLEX', KEYS[6], '[' .. m .. '!', '(' .. m .. '"') end
    end
  end
  local referenced = {}
  for ns in pairs(pruned) do
    local members = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ns .. '!', '(' .. ns .. '"')
    for k = 1, #members do
      local cp = redis.call('HGET', KEYS[3], members[k])
      local list = cp and string.match(cp, '${CHECKPOINT_BLOBS}')
      if list then
        for field in string.gmatch(list, '[^,]+') do referenced[ns .. '!' .. field] = true end
      end
    end
  end
  -- A list stored as tails needs every base down to its full copy.
  local queue = {}
  for f in pairs(referenced) do queue[#queue + 1] = f end
  local q = 1
  while q <= #queue do
    local f = queue[q]
    q = q + 1
    local rec = redis.call('HGET', KEYS[7], f)
    local base = rec and string.match(rec, '${TAIL_BASE}')
    if base then
      local b = string.sub(f, 1, string.find(f, '!', 1, true)) .. base
      if not referenced[b] then
        referenced[b] = true
        queue[#queue + 1] = b
      end
    end
  end
  local values = redis.call('HKEYS', KEYS[7])
  for k = 1, #values do
    local f = values[k]
    local sep = string.find(f, '!', 1, true)
    if sep and pruned[string.sub(f, 1, sep - 1)] and not referenced[f] then redis.call('HDEL', KEYS[7], f) end
  end
  return removed
end
`;

/**
 * links: no ARGV. Returns member, header, member, header... for every
 * checkpoint of the thread (byNamespace order): the header line of its
 * checkpoint record (records.ts), "" when the record is gone, "!" when it
 * has no header line. Enough to know each checkpoint's parent without
 * sending the records themselves.
 */
const LINKS = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for i = 1, #members do
  local cp = redis.call('HGET', KEYS[3], members[i])
  local line = ''
  if cp then
    local nl = string.find(cp, '\\n', 1, true)
    if nl then line = string.sub(cp, 1, nl - 1) else line = '!' end
  end
  out[#out + 1] = members[i]
  out[#out + 1] = line
end
return out
`;

/** prune: ARGV = a plan (see prune_plan, from ARGV[1]). Returns {1, removed} or {0} when a head moved on. */
const PRUNE = `${PRUNE_PLAN}
local removed = prune_plan(1)
if removed == nil then return {0} end
return {1, removed}
`;

/**
 * expire: the sweep's check and act on one thread, atomically. ARGV = mode
 * ("delete", "check" or "prune"), the last write the sweeper saw (the idle
 * set's score), now in ms ("" for the server's clock), idle ms, "1" to spare
 * a thread waiting on an interrupt, then (mode "prune") a plan as prune_plan
 * reads it. Returns
 * {0} nothing of the thread is left (Redis expired it, or it was deleted);
 * {1, last write} not expired, or written since the sweeper saw it;
 * {2} its root head waits on an interrupt (spared);
 * {3} a run holds a lease that has not ended, judged by the real clock as
 *     well as by `now`, so sweeping "as if later" never removes a live run;
 * {4} already pruned at this last write (by another sweeper);
 * {5, workflow or ""} deleted, every key (mode "delete");
 * {6, removed} pruned by the plan, and marked so (the record's `p` is the
 *     last write it was pruned at);
 * {7} a head moved on since the plan was made: left as it is;
 * {8} the thread has no idle clock (written without a ttl);
 * {9} expired, to be pruned (mode "check": the sweeper then plans).
 */
const EXPIRE = `${PRUNE_PLAN}
local t = redis.call('TIME')
local real = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now = real
if ARGV[3] ~= '' then now = tonumber(ARGV[3]) end
local rec = redis.call('HMGET', KEYS[8], 'w', 'e', 's', 'l', 'x', 'p')
local w = tonumber(rec[1])
if not w then
  if redis.call('EXISTS', KEYS[1], KEYS[2], KEYS[3], KEYS[8]) == 0 then return {0} end
  return {8}
end
if w ~= tonumber(ARGV[2]) or not (now - w > tonumber(ARGV[4])) then return {1, rec[1]} end
if ARGV[5] == '1' and rec[5] and head('') == rec[5] then return {2} end
if rec[3] == 'running' and rec[4] and tonumber(rec[4]) >= math.min(now, real) then return {3} end
if ARGV[1] == 'delete' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])
  return {5, rec[2] or ''}
end
if rec[6] == rec[1] then return {4} end
if ARGV[1] == 'check' then return {9} end
local removed = prune_plan(6)
if removed == nil then return {7} end
redis.call('HSET', KEYS[8], 'p', rec[1])
return {6, removed}
`;

/**
 * dump: no ARGV. Everything of the thread, in KEYS order: {byNamespace
 * members, byId members, checkpoints {field, record...}, metadata {...},
 * writes {...}, writeIndex members, channelValues {...}, record {...}}.
 * One script, so a copy reads one consistent moment of the thread.
 */
const DUMP = `
return {
  redis.call('ZRANGE', KEYS[1], 0, -1), redis.call('ZRANGE', KEYS[2], 0, -1),
  redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4]), redis.call('HGETALL', KEYS[5]),
  redis.call('ZRANGE', KEYS[6], 0, -1), redis.call('HGETALL', KEYS[7]), redis.call('HGETALL', KEYS[8])
}
`;

/**
 * copy: KEYS = the new thread's keys (with a ttl on one Redis, the idle set
 * and workflows hash after them). ARGV = retention argument, then for each
 * of the eight keys in order a count n and n items: members of a sorted set
 * (all scores 0), field and value pairs of a hash, as dump returns them.
 * Refuses ({0}) when any key of the new thread exists. The record is the
 * source's with createdAt and updatedAt now, no idle clock or prune mark of
 * its own, and a running record's lease ended (no process holds the copy).
 * Returns {1, record's updatedAt or 0, touch time or 0, workflow or ""}.
 */
const COPY = `${TOUCH}
for i = 1, 8 do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {0} end
end
local sorted = {[1] = true, [2] = true, [6] = true}
local at = 2
for k = 1, 8 do
  local n = tonumber(ARGV[at])
  at = at + 1
  if sorted[k] then
    for j = at, at + n - 1 do redis.call('ZADD', KEYS[k], 0, ARGV[j]) end
  else
    for j = at, at + n - 2, 2 do redis.call('HSET', KEYS[k], ARGV[j], ARGV[j + 1]) end
  end
  at = at + n
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local updated = 0
redis.call('HDEL', KEYS[8], 'w', 'p', 'o')
if redis.call('HEXISTS', KEYS[8], 'e') == 1 then
  local stamp = string.format('%.0f', now)
  redis.call('HSET', KEYS[8], 'c', stamp, 'u', stamp)
  if redis.call('HGET', KEYS[8], 's') == 'running' then
    redis.call('HSET', KEYS[8], 'l', string.format('%.0f', now - 1))
  else
    redis.call('HDEL', KEYS[8], 'l')
  end
  updated = now
end
local touched, workflow = touch(ARGV[1])
return {1, updated, touched, workflow or ''}
`;

/**
 * idlePage: KEYS = idle set. ARGV = now in ms ("" for the server's clock),
 * idle ms, tie score ("" for none), tie member, count. Returns member,
 * score, member, score...: up to count entries idle longer than idle ms at
 * now (score < now - idle), score ascending then member ascending, strictly
 * after the position (tie score, tie member).
 */
const IDLE_PAGE = `
local now = ARGV[1]
if now == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cutoff = tonumber(now) - tonumber(ARGV[2])
local count = tonumber(ARGV[5])
local out = {}
local min = '-inf'
if ARGV[3] ~= '' then
  if tonumber(ARGV[3]) < cutoff then
    local ties = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[3])
    for i = 1, #ties do
      if #out >= count * 2 then return out end
      if ties[i] > ARGV[4] then
        out[#out + 1] = ties[i]
        out[#out + 1] = ARGV[3]
      end
    end
  end
  min = '(' .. ARGV[3]
end
local left = count - #out / 2
if left <= 0 then return out end
local rest = redis.call('ZRANGEBYSCORE', KEYS[1], min, '(' .. string.format('%.17g', cutoff), 'WITHSCORES', 'LIMIT', 0, left)
for i = 1, #rest do out[#out + 1] = rest[i] end
return out
`;

/**
 * idleRaise: KEYS = an idle set, the workflows hash. ARGV = last write ms,
 * thread hex, workflow or "". Sets the thread's score, never lowering it
 * (two writers' follow-ups arriving out of order keep the newer; ZADD GT
 * needs Redis 6.2), and remembers its workflow.
 */
const IDLE_RAISE = `
local current = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not current or tonumber(current) < tonumber(ARGV[1]) then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
return 1
`;

/**
 * idleForget: KEYS = idle set, waiting set, workflows hash. ARGV = thread
 * hex, which entry ("writes", "waiting" or "both"), the score the caller
 * saw ("" for any). Removes the entry, unless its score is no longer the one
 * seen (a write moved it since); the workflow goes too once the thread has
 * no entry left. Returns {1, workflow or ""}, or {0, ""} when it was left.
 */
const IDLE_FORGET = `
local sets = {writes = {KEYS[1]}, waiting = {KEYS[2]}, both = {KEYS[1], KEYS[2]}}
local chosen = sets[ARGV[2]]
if ARGV[3] ~= '' then
  local current = redis.call('ZSCORE', chosen[1], ARGV[1])
  if current and tonumber(current) ~= tonumber(ARGV[3]) then return {0, ''} end
end
for _, key in ipairs(chosen) do redis.call('ZREM', key, ARGV[1]) end
local workflow = redis.call('HGET', KEYS[3], ARGV[1]) or ''
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return {1, workflow}
`;

/**
 * idleSpare: KEYS = idle set, waiting set. ARGV = thread hex, the score the
 * caller saw. Moves the entry of a thread spared for waiting on an
 * interrupt to the waiting set (where only sweepers with
 * includeInterrupted look), unless a write moved it since.
 */
const IDLE_SPARE = `
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if current and tonumber(current) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`;

/**
 * The retention scripts.
 *
 * @example
 * ```ts
 * await RETENTION_SCRIPTS.links.run(client, keys.all, []);
 * ```
 */
export const RETENTION_SCRIPTS = {
  links: new Script("links", LINKS),
  prune: new Script("prune", PRUNE),
  expire: new Script("expire", EXPIRE),
  dump: new Script("dump", DUMP),
  copy: new Script("copy", COPY),
  idlePage: new Script("idlePage", IDLE_PAGE),
  idleRaise: new Script("idleRaise", IDLE_RAISE),
  idleForget: new Script("idleForget", IDLE_FORGET),
  idleSpare: new Script("idleSpare", IDLE_SPARE),
} as const;
