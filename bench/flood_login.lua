-- The login flood of bench/flood.sh: valid logins (env EMAIL, PASSWORD); each connection
-- waits DELAY_MS between its requests (0: as fast as answers come back). Counts 200 and 503
-- answers and prints them as ok=N busy=N other=N.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("EMAIL") .. '","password":"' .. os.getenv("PASSWORD") .. '"}'

local threads = {}
local pause = tonumber(os.getenv("DELAY_MS") or "0")

function delay()
  return pause
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, busy, other = 0, 0, 0
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 503 then busy = busy + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, b, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("busy"); x = x + t:get("other")
  end
  io.write(string.format("ok=%d busy=%d other=%d\n", o, b, x))
end
