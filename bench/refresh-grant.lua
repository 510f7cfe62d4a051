-- wrk script for bench/op-throughput: every request is the same refresh_token grant
--   POST <token endpoint>  Authorization: Basic <BENCH_BASIC>  grant_type=refresh_token&refresh_token=<BENCH_RT>
-- (each OP runs with refresh-token rotation off, so one refresh token can be reused), and counts
-- responses that are not 200 (an invalid_grant would otherwise look like a fast answer).
wrk.method = "POST"
wrk.body = "grant_type=refresh_token&refresh_token=" .. os.getenv("BENCH_RT")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_BASIC")
wrk.headers["Accept"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; bad = 0; last_bad = 0 end
function response(status, headers, body)
  n = n + 1
  if status ~= 200 then bad = bad + 1; last_bad = status end
end
function done(summary, latency, requests)
  local total, nbad, lb = 0, 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("n"); nbad = nbad + t:get("bad")
    if t:get("last_bad") ~= 0 then lb = t:get("last_bad") end
  end
  io.write(string.format("status-check: %d responses, %d not 200 (last non-200 status: %d)\n", total, nbad, lb))
end
