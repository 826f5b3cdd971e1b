-- POST /api/v1/auth/refresh. Every refresh token is single-use, so each thread keeps a
-- queue of live tokens (one per connection, read from env TOKENS_FILE) and pushes the
-- rotated token from each response back onto it.
local queue = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local per_thread = tonumber(os.getenv("TOKENS_PER_THREAD"))
  local i = 0
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if math.floor(i / per_thread) == tid then table.insert(queue, line) end
    i = i + 1
  end
end

function request()
  -- wrk also calls request() once outside any thread to validate the script: no tokens there.
  local token = table.remove(queue, 1)
  if not token then
    empty = (empty or 0) + 1
    token = "validation-only"
  end
  return wrk.format("POST", "/api/v1/auth/refresh", {["Content-Type"] = "application/json"},
                    '{"refresh_token":"' .. token .. '"}')
end

local statuses = {}

function response(status, headers, body)
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then table.insert(queue, token) end
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 and os.getenv("REFRESH_DEBUG") then io.stderr:write(status, " empty=", tostring(empty), " ", body:sub(1, 100), "\n") end
end
