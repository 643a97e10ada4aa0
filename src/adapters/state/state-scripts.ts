// The Lua scripts of the Redis state store: each runs as one step in Redis, without another client's
// command in between.

// GET, compare and write in one script: Redis runs it without interleaving another client's command.
export const COMPARE_AND_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
export const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

// A queue is a sorted set of ids by due time (KEYS[1]); each entry's value is a key of its own with an expiry
// (the id appended to ARGV's item prefix). The set itself expires with the longest-lived entry.
export const ENQUEUE = `redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`;
// Due entries are leased by moving their due time to the lease's end, in the same script that reads them.
export const TAKE_DUE = `local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[4] .. id)
  if v then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    table.insert(out, id)
    table.insert(out, v)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`;
// ZADD XX: only an entry still queued gets the new due time; 1 when it did.
export const RENEW = `if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
return redis.call('ZSCORE', KEYS[1], ARGV[1]) and 1 or 0`;
export const REMOVE = `redis.call('ZREM', KEYS[1], ARGV[1]) return redis.call('DEL', KEYS[2])`;
export const SIZE = `return redis.call('ZCARD', KEYS[1])`;
