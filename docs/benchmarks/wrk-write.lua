-- wrk cross-check of `leaderkv bench --throughput`: the same writes (key-(i mod 10), value-i)
-- against a running leader. Usage: wrk -t2 -c64 -d10s -s docs/benchmarks/wrk-write.lua http://127.0.0.1:8000
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = string.format('{"key":"key-%d","value":"value-%d"}', counter % 10, counter)
  return wrk.format(nil, "/write", nil, body)
end
