-- One script for every workload; BENCH_MODE picks the requests:
--   fixed    : the URL given to wrk, unchanged (L, W0, W2)
--   sensor   : /api/v1/sensors/{id}, a random id from BENCH_IDS (W1)
--   readings : /api/v1/sensors/{id}/readings?since=...&limit=100, a random id
--              and a random instant in [BENCH_FIRST, BENCH_LAST] (epoch seconds) (W3)
--   hourly   : /api/v1/sensors/{id}/aggregates?bucket=1h&since=...&until=...&limit=500, 30 days from
--              a random instant, a random id (W4)
--   daily    : /api/v1/sensors/{id}/aggregates?bucket=1d&limit=100, a random id: its whole history (W5)
--   window:B:S : /api/v1/sensors/{id}/aggregates?bucket=B&since=...&until=..., S seconds from a random
--              instant, a random id (bench/scale.py: the same answer at every table size)
--   mixed    : sensor, list and readings requests in turn (the memory soak)
-- done() prints one JSON line that bench/load.py parses.

local mode = os.getenv("BENCH_MODE") or "fixed"
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do
  ids[#ids + 1] = id
end
local first = tonumber(os.getenv("BENCH_FIRST") or "0")
local last = tonumber(os.getenv("BENCH_LAST") or "0")
local counter = 0

local threads = {}
function setup(thread)
  thread:set("seed", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
end

local function sensor_path()
  return "/api/v1/sensors/" .. ids[math.random(#ids)]
end

local function readings_path()
  local since = os.date("!%Y-%m-%dT%H:%M:%SZ", first + math.random(0, last - first))
  return sensor_path() .. "/readings?since=" .. since .. "&limit=100"
end

local MONTH = 30 * 86400

local function hourly_path()
  local start = first + math.random(0, math.max(0, last - MONTH - first))
  local since = os.date("!%Y-%m-%dT%H:%M:%SZ", start)
  local upto = os.date("!%Y-%m-%dT%H:%M:%SZ", start + MONTH)
  return sensor_path() .. "/aggregates?bucket=1h&since=" .. since .. "&until=" .. upto .. "&limit=500"
end

local window_bucket, window_seconds = string.match(mode, "^window:(%w+):(%d+)$")

local function window_path()
  local start = first + math.random(0, last - first)
  local since = os.date("!%Y-%m-%dT%H:%M:%SZ", start)
  local upto = os.date("!%Y-%m-%dT%H:%M:%SZ", start + tonumber(window_seconds))
  return sensor_path() .. "/aggregates?bucket=" .. window_bucket .. "&since=" .. since .. "&until=" .. upto
end

function request()
  if window_bucket then
    return wrk.format("GET", window_path())
  elseif mode == "hourly" then
    return wrk.format("GET", hourly_path())
  elseif mode == "daily" then
    return wrk.format("GET", sensor_path() .. "/aggregates?bucket=1d&limit=100")
  elseif mode == "sensor" then
    return wrk.format("GET", sensor_path())
  elseif mode == "readings" then
    return wrk.format("GET", readings_path())
  elseif mode == "mixed" then
    counter = counter + 1
    local turn = counter % 3
    if turn == 0 then
      return wrk.format("GET", sensor_path())
    elseif turn == 1 then
      return wrk.format("GET", "/api/v1/sensors?limit=100")
    end
    return wrk.format("GET", readings_path())
  end
  return wrk.format("GET")
end

-- The latency distribution goes out as its 1,000 per-mille points, so that
-- bench/load.py can merge the short runs of one workload into one p50 and p99.
function done(summary, latency, requests)
  local e = summary.errors
  local points = {}
  for i = 1, 1000 do
    points[i] = latency:percentile(i / 10)
  end
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "max_us": %d, "non_2xx_3xx": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "permille_us": [%s]}\n',
    summary.requests, summary.duration, latency.max,
    e.status, e.connect, e.read, e.write, e.timeout, table.concat(points, ",")))
end
