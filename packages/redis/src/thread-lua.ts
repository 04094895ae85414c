// The Lua of thread records (see thread-records.ts for the layout and why).
// It lives apart from scripts.ts so that file stays about checkpoints; it
// imports nothing, and scripts.ts embeds THREAD_UPDATE in put and putWrites
// and wraps the other two as Scripts.

/**
 * A Lua function the put and putWrites scripts call after their writes:
 * `thread_update(at, cid, guard)` applies the thread update whose arguments
 * start at ARGV[at] (a count n, then n arguments: entrypoint, status,
 * interrupts record or "", lease owner, lease ms or "" (no lease), the
 * thread's hex (its listing member), then pairs of (metadata key hex, value
 * record)) to the record in KEYS[8], naming checkpoint `cid` (hex). With
 * `guard`, nothing changes unless the record already names `cid`. Returns
 * the record's new updatedAt in ms, or 0 when nothing changed. Times come
 * from the server's clock (TIME), so every process agrees on when a lease
 * ends; updatedAt never goes backwards, so a thread only moves up in a
 * listing.
 *
 * When KEYS[9..13] are given (one Redis, not a Cluster: see
 * thread-records.ts), they are the workflow's listing sets "all",
 * "interrupted", "running", "failed", "done": the thread is put in "all"
 * and its status's set at the record's updatedAt, and taken out of its
 * previous status's set (same workflow), in this same script.
 */
export const THREAD_UPDATE = `
local thread_sets = {interrupted = 10, running = 11, failed = 12, done = 13}
local function thread_update(at, cid, guard)
  local n = tonumber(ARGV[at])
  if n == nil or n == 0 then return 0 end
  local key = KEYS[8]
  local old = redis.call('HMGET', key, 'k', 'u', 'e', 's', 'c')
  if guard and old[1] ~= cid then return 0 end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local updated = now
  local previous = tonumber(old[2])
  if previous and previous > updated then updated = previous end
  local u = string.format('%.0f', updated)
  local entrypoint, status = ARGV[at + 1], ARGV[at + 2]
  -- Every field set in one HSET and every one cleared in one HDEL: a
  -- redis.call costs more than its arguments (see the benchmarks' T2).
  local set = {'e', entrypoint, 's', status, 'u', u, 'k', cid}
  if not old[5] then set[#set + 1] = 'c'; set[#set + 1] = string.format('%.0f', now) end
  local gone = {}
  if ARGV[at + 3] ~= '' then
    set[#set + 1] = 'i'; set[#set + 1] = ARGV[at + 3]
  else
    gone[#gone + 1] = 'i'
  end
  if ARGV[at + 5] ~= '' then
    set[#set + 1] = 'o'; set[#set + 1] = ARGV[at + 4]
    set[#set + 1] = 'l'; set[#set + 1] = string.format('%.0f', now + tonumber(ARGV[at + 5]))
  else
    gone[#gone + 1] = 'o'; gone[#gone + 1] = 'l'
  end
  for i = at + 7, at + n, 2 do set[#set + 1] = 'm!' .. ARGV[i]; set[#set + 1] = ARGV[i + 1] end
  -- unpack() is bounded by Lua's stack: a record with very many metadata
  -- keys is set a thousand fields at a time.
  for first = 1, #set, 2000 do redis.call('HSET', key, unpack(set, first, math.min(#set, first + 1999))) end
  if #gone > 0 then redis.call('HDEL', key, unpack(gone)) end
  if #KEYS >= 13 then
    local member = ARGV[at + 6]
    redis.call('ZADD', KEYS[9], u, member)
    redis.call('ZADD', KEYS[thread_sets[status]], u, member)
    local was = thread_sets[old[4]]
    if was and old[4] ~= status and old[3] == entrypoint then redis.call('ZREM', KEYS[was], member) end
  end
  return updated
end
`;

/**
 * threadRecord: KEYS = the thread's record. Returns {server time in ms, {field,
 * value, ...}}: the record with the clock of the node that holds it, which
 * is the clock its lease was set by.
 */
export const READ_THREAD_RECORD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {string.format('%.0f', now), redis.call('HGETALL', KEYS[1])}
`;

/**
 * threadPage: KEYS = one listing sorted set (member: thread hex, score:
 * updatedAt). ARGV = tie score ("" for none), tie member, max (a ZRANGE
 * BYSCORE bound), min, count. Returns up to count of {member, score}, score
 * descending then member descending, strictly after the position (tie score,
 * tie member): first the members of that score below the tie member, then
 * the scores within (max, min). One key, so one call on a Cluster too.
 */
export const THREAD_PAGE = `
local key, count = KEYS[1], tonumber(ARGV[5])
local out = {}
if ARGV[1] ~= '' then
  local ties = redis.call('ZREVRANGEBYSCORE', key, ARGV[1], ARGV[1])
  for i = 1, #ties do
    if #out >= count then return out end
    if ties[i] < ARGV[2] then out[#out + 1] = {ties[i], ARGV[1]} end
  end
end
if #out >= count then return out end
local rest = redis.call('ZREVRANGEBYSCORE', key, ARGV[3], ARGV[4], 'WITHSCORES', 'LIMIT', 0, count - #out)
for i = 1, #rest, 2 do out[#out + 1] = {rest[i], rest[i + 1]} end
return out
`;

/**
 * threadRaise: KEYS = one listing sorted set; ARGV = score, member. Adds the
 * member, or raises its score, never lowers it: ZADD GT, which Redis < 6.2
 * lacks. Two writers' follow-ups arriving out of order then keep the newer.
 */
export const THREAD_RAISE = `
local current = redis.call('ZSCORE', KEYS[1], ARGV[2])
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
`;
