-- wrk script: every request asks for one aligned `BENCH_CHUNK`-byte range at a pseudo-random
-- position in a file of `BENCH_SIZE` bytes, so no server can win by serving one hot range.
-- `done` prints one JSON line that bench/lib/wrk.ts parses.
local size = tonumber(os.getenv("BENCH_SIZE"))
local chunk = tonumber(os.getenv("BENCH_CHUNK"))
local slots = math.floor(size / chunk)
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(1000 + id) -- same sequence for every server measured
end

function request()
  local first = math.random(0, slots - 1) * chunk
  return wrk.format("GET", nil, { ["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1) })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"durationUs":%d,"requests":%d,"bytes":%d,"errors":%d,"statusErrors":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.duration, summary.requests, summary.bytes, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
