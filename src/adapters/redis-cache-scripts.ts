/** The cache index's Lua scripts (src/adapters/redis-cache-index.ts runs them). */

// Every multi-key change runs as one Lua script, so concurrent instances on one Redis can never
// interleave between "does it exist?" and "adjust totals" and double-count. Sizes go to HINCRBY
// as the decimal strings we stored: Lua numbers would be formatted with %.14g and break above 1e14.

// Per node, beside the global lru and totals: '<prefix>node-lru:<node>' (sorted set) and
// '<prefix>node-totals:<node>' (hash), so each instance's cleaner measures and evicts only what its own
// disk holds. Entries written before nodes were recorded have no 'node' field and are in neither.

/** Takes an entry out of its node's lru and totals (no-op for an entry without a node). */
const UNNODE = `
local function unnode(prefix, node, member, size)
  if not node or node == '' then return end
  redis.call('ZREM', prefix .. 'node-lru:' .. node, member)
  redis.call('HINCRBY', prefix .. 'node-totals:' .. node, 'count', -1)
  if size ~= '0' then redis.call('HINCRBY', prefix .. 'node-totals:' .. node, 'bytes', '-' .. size) end
end
`;

/**
 * KEYS: entry, lru, torrent set, totals. ARGV: member, fileIndex, then the entry's fields, then node,
 * nodeUrl ('' = none) and the key prefix.
 */
export const UPSERT = `${UNNODE}
local old = redis.call('HGET', KEYS[1], 'size')
if old then
  unnode(ARGV[13], redis.call('HGET', KEYS[1], 'node'), ARGV[1], old)
  redis.call('HSET', KEYS[1], 'path', ARGV[4], 'size', ARGV[5], 'torrentName', ARGV[6],
    'fileName', ARGV[7], 'lastAccessed', ARGV[9])
  if old ~= '0' then redis.call('HINCRBY', KEYS[4], 'bytes', '-' .. old) end
else
  redis.call('HSET', KEYS[1], 'infoHash', ARGV[3], 'fileIndex', ARGV[2], 'path', ARGV[4],
    'size', ARGV[5], 'torrentName', ARGV[6], 'fileName', ARGV[7], 'createdAt', ARGV[8],
    'lastAccessed', ARGV[9], 'hits', ARGV[10])
  redis.call('HINCRBY', KEYS[4], 'count', 1)
end
redis.call('HINCRBY', KEYS[4], 'bytes', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[9], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[1], 'node', ARGV[11], 'nodeUrl', ARGV[12])
  redis.call('ZADD', ARGV[13] .. 'node-lru:' .. ARGV[11], ARGV[9], ARGV[1])
  redis.call('HINCRBY', ARGV[13] .. 'node-totals:' .. ARGV[11], 'count', 1)
  redis.call('HINCRBY', ARGV[13] .. 'node-totals:' .. ARGV[11], 'bytes', ARGV[5])
else
  redis.call('HDEL', KEYS[1], 'node', 'nodeUrl')
end
return old and 0 or 1`;

/** KEYS: entry, lru. ARGV: member, at, key prefix. */
export const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastAccessed', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'hits', 1)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local node = redis.call('HGET', KEYS[1], 'node')
if node and node ~= '' then redis.call('ZADD', ARGV[3] .. 'node-lru:' .. node, ARGV[2], ARGV[1]) end
return 1`;

/** KEYS: entry, lru, torrent set, totals. ARGV: member, fileIndex, key prefix. */
export const REMOVE_ONE = `${UNNODE}
local size = redis.call('HGET', KEYS[1], 'size')
if not size then return 0 end
unnode(ARGV[3], redis.call('HGET', KEYS[1], 'node'), ARGV[1], size)
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('HINCRBY', KEYS[4], 'count', -1)
if size ~= '0' then redis.call('HINCRBY', KEYS[4], 'bytes', '-' .. size) end
return 1`;

/**
 * KEYS: torrent set, lru, totals. ARGV: entry key prefix ('<prefix>entry:<infoHash>:'), infoHash, key
 * prefix. Entry keys are derived inside the script (not declared in KEYS): fine on a single Redis, which
 * is all we support; a Cluster would need hash tags.
 */
export const REMOVE_TORRENT = `${UNNODE}
local removed = 0
for _, i in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. i
  local size = redis.call('HGET', key, 'size')
  if size then
    unnode(ARGV[3], redis.call('HGET', key, 'node'), ARGV[2] .. ':' .. i, size)
    redis.call('DEL', key)
    removed = removed + 1
    if size ~= '0' then redis.call('HINCRBY', KEYS[3], 'bytes', '-' .. size) end
  end
  redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. i)
end
redis.call('DEL', KEYS[1])
if removed > 0 then redis.call('HINCRBY', KEYS[3], 'count', -removed) end
return removed`;

/**
 * KEYS: lru, totals. ARGV: key prefix, then members "<infoHash>:<fileIndex>". One script per batch
 * instead of one per entry; keys are built inside (as REMOVE_TORRENT does), so not for Redis Cluster.
 */
export const REMOVE_MANY = `${UNNODE}
local removed, bytes = 0, 0
for n = 2, #ARGV do
  local member = ARGV[n]
  local hash, index = string.match(member, '^(.*):(%d+)$')
  local key = ARGV[1] .. 'entry:' .. member
  local size = redis.call('HGET', key, 'size')
  if size then
    unnode(ARGV[1], redis.call('HGET', key, 'node'), member, size)
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], member)
    redis.call('SREM', ARGV[1] .. 'torrent:' .. hash, index)
    removed = removed + 1
    if size ~= '0' then redis.call('HINCRBY', KEYS[2], 'bytes', '-' .. size) end
  end
end
if removed > 0 then redis.call('HINCRBY', KEYS[2], 'count', -removed) end
return removed`;
