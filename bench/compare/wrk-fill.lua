-- Fills distinct keys for the memory figure: thread t writes m-<t>-<i> for i = 0 .. per_thread-1,
-- each with a 100-byte JSON value (a 98-character string and its quotes), then stops.
-- Usage: wrk -t2 -c16 -d600s -s wrk-fill.lua URL -- PER_THREAD
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local per_thread, sent, answered = 0, 0, 0
local padding = string.rep("x", 98)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function init(args)
  per_thread = tonumber(args[1])
end

function request()
  local key = string.format("m-%d-%d", id, sent % per_thread)
  sent = sent + 1
  local value = string.sub(key .. padding, 1, 98)
  return wrk.format(nil, "/write", nil, string.format('{"key":"%s","value":"%s"}', key, value))
end

function response(status)
  answered = answered + 1
  if answered >= per_thread then
    wrk.thread:stop()
  end
end
