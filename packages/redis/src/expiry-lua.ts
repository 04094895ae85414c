// The Lua every thread write (and, with refreshOnRead, every read) ends
// with: the thread's idle clock and its keys' expiry. It lives apart from
// scripts.ts so the retention scripts can embed it too; it imports nothing.

/**
 * `touch(arg)`: restarts the thread's idle clock and sets its keys' expiry,
 * as the retention argument `arg` says (see options.ts' retentionArguments:
 * `"0"`, or `"expiry,track,spare"`). Returns the server time it used (0
 * without a ttl) and the thread's workflow (its record's entrypoint), for
 * the Cluster's follow-up to the idle set.
 *
 * - The idle clock is the record's field `w` (KEYS[8]), in ms of the server's
 *   clock. With track 2 (one Redis) the idle set and workflows hash are the
 *   script's last two KEYS and change here too; on a Cluster they live in a
 *   slot of their own and the saver updates them after the script.
 * - Key expiry: every key of the thread (KEYS[1..8]; listing sets after them
 *   are not the thread's) gets one absolute deadline. PEXPIREAT with a
 *   deadline computed once (rather than EXPIRE per key) makes the keys expire
 *   together even on servers that do not freeze time during a script, so a
 *   reader never meets half a thread. A key that does not exist yet is
 *   skipped and gets the same deadline from the write that creates it.
 * - With spare 1, a thread whose root-namespace head waits on an interrupt
 *   (the record's `x` names that head: putWrites sets it when it stores an
 *   `__interrupt__` write there) does not expire: its keys are PERSISTed,
 *   and the next write after a new head (the resume's first put) sets the
 *   deadline again.
 */
export const TOUCH = `
local function waiting()
  local x = redis.call('HGET', KEYS[8], 'x')
  if not x then return false end
  local top = redis.call('ZREVRANGEBYLEX', KEYS[1], '("', '[!', 'LIMIT', 0, 1)
  return top[1] == '!' .. x
end
local function touch(arg)
  local expiry, track, spare = string.match(arg or '', '^(%d+),(%d),(%d)$')
  if not expiry then return 0, false end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local stamp = string.format('%.0f', now)
  local workflow = redis.call('HGET', KEYS[8], 'e')
  redis.call('HSET', KEYS[8], 'w', stamp)
  if track == '2' then
    local hex = string.match(KEYS[1], '{(%x*)}')
    redis.call('ZADD', KEYS[#KEYS - 1], stamp, hex)
    if workflow then redis.call('HSET', KEYS[#KEYS], hex, workflow) end
  end
  if expiry ~= '0' then
    if spare == '1' and waiting() then
      for i = 1, 8 do redis.call('PERSIST', KEYS[i]) end
    else
      local deadline = string.format('%.0f', now + tonumber(expiry))
      for i = 1, 8 do redis.call('PEXPIREAT', KEYS[i], deadline) end
    end
  end
  return now, workflow
end
`;
