-- Shared by the benchmark's wrk scripts: phones' URLs and User-Agents, numbered threads, and the
-- one result line that benchmarks/wrk.py reads. PHONES, RECORD, COUNT, LINK and TOKEN are written
-- above; phone n's key and MAC are read from its record on use, so no thread spends time on all
-- of them before it starts sending.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function phone(n)
  return PHONES:sub((n - 1) * RECORD + 1, n * RECORD):match("^(%S+) +(%x+)")
end

function file_path(key, filename)
  if LINK == "personal" then
    return "/v1/device/" .. key .. "/" .. filename
  end
  return "/v1/token/" .. TOKEN .. "/" .. filename
end

function user_agent(mac)
  local colons = mac:gsub("(%x%x)", "%1:"):sub(1, 17)
  return "Yealink SIP-T46S 66.86.0.15 " .. colons
end

function done(summary, latency, requests)
  local errors = summary.errors
  local line = string.format(
    "WRK_RESULT requests=%d seconds=%.6f p50_ms=%.3f p99_ms=%.3f status_errors=%d socket_errors=%d",
    summary.requests,
    summary.duration / 1e6,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout
  )
  if storm_report then
    line = line .. " " .. storm_report(threads)
  end
  io.write(line .. "\n")
end
