-- A boot storm: every connection (one per thread) is a phone that boots and fetches its boot file,
-- its model's common file and its device file in order, then the next phone of its thread: thread
-- id boots phones id, id + THREADS, id + 2 * THREADS… A thread that has booted all its phones
-- writes a line to FINISHED_FILE and stops. THREADS, FINISHED_FILE and BOOT are written above; with
-- BOOT = 0 each phone fetches only its device file, on LINK: every device's first fetch, once.
local ffi = require("ffi")
ffi.cdef("struct timeval { long tv_sec; long tv_usec; }; int gettimeofday(struct timeval *tv, void *tz);")

local function now()
  local tv = ffi.new("struct timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local number, step, files
phones_done = 0

local function files_of(n)
  local key, mac = phone(n)
  local headers = {["User-Agent"] = user_agent(mac)}
  local device_file = wrk.format("GET", file_path(key, mac .. ".cfg"), headers)
  if BOOT == 0 then
    return {device_file}
  end
  -- Yealink phones ask for <mac>.boot, or y000000000000.boot: half the phones take each.
  local boot = (n % 2 == 0) and "y000000000000.boot" or (mac .. ".boot")
  return {
    wrk.format("GET", file_path(key, boot), headers),
    wrk.format("GET", file_path(key, "y000000000066.cfg"), headers),
    device_file,
  }
end

function init(args)
  number, step = id, 1
  files = files_of(number)
end

function request()
  started_at = started_at or now()
  return files[step]
end

function response(status, headers, body)
  step = step + 1
  if step <= #files then
    return
  end
  phones_done = phones_done + 1
  number, step = number + THREADS, 1
  if number <= COUNT then
    files = files_of(number)
    return
  end
  finished_at = now()
  local finished = io.open(FINISHED_FILE, "a")
  finished:write(id, "\n")
  finished:close()
  wrk.thread:stop()
end

function storm_report(threads)
  local first, last, booted = math.huge, 0, 0
  for _, thread in ipairs(threads) do
    first = math.min(first, thread:get("started_at") or math.huge)
    last = math.max(last, thread:get("finished_at") or now())
    booted = booted + thread:get("phones_done")
  end
  return string.format("storm_seconds=%.6f phones_booted=%d", last - first, booted)
end
