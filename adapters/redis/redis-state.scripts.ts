// Lua run inside Redis so that check-and-change is one atomic step (no WATCH retry loops, and
// correct with many bot replicas and workers). Values are kept in hash fields so no script has to
// decode or re-encode JSON.

/** KEYS: approval hash, index zset. ARGV: id, rev, json, expireAtMs, createdAt. Returns 1, or 0 if the id exists. */
export const CREATE_APPROVAL = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'json', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1`;

/** KEYS: approval hash. ARGV: expectedRev, newRev, json, expireAtMs. Returns 1 when saved, 0 on a conflict. */
export const SAVE_APPROVAL = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev or tonumber(rev) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'json', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1`;

/**
 * KEYS: lock hash, lock index set. ARGV: holder, name, purpose, acquiredAt, expiresAt, ttlMs.
 * Returns nil when taken (or re-taken by the same holder), else the current holder's hash as a flat array.
 */
export const ACQUIRE_LOCK = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder and holder ~= ARGV[1] then return redis.call('HGETALL', KEYS[1]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'key', ARGV[2], 'holder', ARGV[1], 'purpose', ARGV[3], 'acquiredAt', ARGV[4], 'expiresAt', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[2])
return nil`;

/** KEYS: lock hash. ARGV: holder, ttlMs, expiresAt. Returns 1 when the holder still had it. */
export const RENEW_LOCK = `
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'expiresAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * KEYS: lock hash, lock index set, fence counter. ARGV: holder, name. Returns 1 when the holder
 * released it. Releasing a fenced lease moves its counter on, so the released token is never current again.
 */
export const RELEASE_LOCK = `
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[1], 'token') == 1 then redis.call('INCR', KEYS[3]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

/** KEYS: lock hash, lock index set, fence counter. ARGV: name. Removes the lock whoever holds it and voids its token. */
export const FORCE_RELEASE_LOCK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('INCR', KEYS[3])
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1`;

/**
 * A fenced lease. KEYS: lock hash, lock index set, fence counter (never expires, only grows).
 * ARGV: holder, name, purpose, acquiredAt, expiresAt, ttlMs. Free (or expired): INCR the counter and
 * store the new token with the lease; held by the same holder: extend, same token. Returns
 * {1, token} when held, else {0, holder's hash as a flat array}.
 */
export const ACQUIRE_FENCED = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder and holder ~= ARGV[1] then return {0, redis.call('HGETALL', KEYS[1])} end
local token = redis.call('HGET', KEYS[1], 'token')
if not holder or not token then
  token = redis.call('INCR', KEYS[3])
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'key', ARGV[2], 'holder', ARGV[1], 'purpose', ARGV[3], 'acquiredAt', ARGV[4], 'token', token)
end
redis.call('HSET', KEYS[1], 'expiresAt', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[2])
return {1, tonumber(token)}`;

/**
 * Renew a fenced lease and answer whether its token is still current. KEYS: lock hash, lock index
 * set, fence counter. ARGV: holder, token, name, purpose, ttlMs, now. Current = the counter still
 * equals the token: nobody took, released or force-released the lease since. If the hash merely
 * expired (a Redis pause longer than the lease) and the token is still current, the lease is taken
 * back as it was. Returns 1 when current (and renewed), else 0.
 */
export const RENEW_FENCED = `
if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[2]) then return 0 end
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder and holder ~= ARGV[1] then return 0 end
if not holder then
  redis.call('HSET', KEYS[1], 'key', ARGV[3], 'holder', ARGV[1], 'purpose', ARGV[4], 'acquiredAt', ARGV[6], 'token', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[3])
end
redis.call('HSET', KEYS[1], 'expiresAt', tonumber(ARGV[6]) + tonumber(ARGV[5]))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * KEYS: line (sorted set: holder by first wait), expiry (hash: holder → ms its place lapses). ARGV:
 * holder, now, ttl. Joins (or stays in) the line, drops waiters whose place lapsed, returns the
 * holder's place (1 = next).
 */
export const QUEUE_FOR_LOCK = `
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'NX', now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], now + ttl)
local places = redis.call('HGETALL', KEYS[2])
for i = 1, #places, 2 do
  if tonumber(places[i + 1]) < now then
    redis.call('HDEL', KEYS[2], places[i])
    redis.call('ZREM', KEYS[1], places[i])
  end
end
for _, k in ipairs(KEYS) do
  if redis.call('PTTL', k) < ttl * 2 then redis.call('PEXPIRE', k, ttl * 2) end
end
return redis.call('ZRANK', KEYS[1], ARGV[1]) + 1`;
