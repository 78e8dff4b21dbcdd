-- Phones fetching their Yealink device file, a random phone each request, each with its own
-- User-Agent. Each thread draws from its own seed and keeps the requests it has formatted.
local prepared = {}

function init(args)
  math.randomseed(id)
end

function request()
  local n = math.random(COUNT)
  local ready = prepared[n]
  if not ready then
    local key, mac = phone(n)
    ready = wrk.format("GET", file_path(key, mac .. ".cfg"), {["User-Agent"] = user_agent(mac)})
    prepared[n] = ready
  end
  return ready
end
