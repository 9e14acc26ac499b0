-- Pre-signed webhook deliveries for wrk: one request per line of $WRK_REQUESTS
-- ("path<TAB>signature header<TAB>signature<TAB>body"), split between the threads so none is sent twice.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  thread:set("nthreads_hint", 0)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
  requests = {}
  local i = 0
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    if i % nthreads == id then
      local path, name, value, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = { ["Content-Type"] = "application/json" }
      headers[name] = value
      table.insert(requests, wrk.format("POST", path, headers, body))
    end
    i = i + 1
  end
  index = 0
  wrapped = 0
end

function request()
  index = index + 1
  if index > #requests then
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

function done(summary, latency, requests_)
  local reused = 0
  for _, thread in ipairs(threads) do
    reused = reused + (thread:get("wrapped") or 0)
  end
  io.write(string.format("WRAPPED %d\n", reused))
end
