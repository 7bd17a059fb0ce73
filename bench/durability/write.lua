-- wrk script: POST /write with a unique small key per request: {"key":"t<thread>-<n>","value":<n>}.
-- PER_THREAD (env, optional): each thread stops after that many responses, to write an exact count.
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
  responses = 0
  per_thread = tonumber(os.getenv("PER_THREAD") or "0")
end

function request()
  counter = counter + 1
  local body = string.format('{"key":"t%d-%d","value":%d}', tid, counter, counter)
  return wrk.format("POST", "/write", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  responses = responses + 1
  if per_thread > 0 and responses >= per_thread then
    wrk.thread:stop()
  end
end
