-- wrk script of bench/serve_load.sh: POST /v1/classify with the photos listed in $SERVE_LOAD_LIST,
-- one after another, each as the raw body.
local bodies = {}
for path in io.lines(os.getenv("SERVE_LOAD_LIST")) do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
local next_body = 0

request = function()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/classify", {["Content-Type"] = "application/octet-stream"}, bodies[next_body])
end

-- One machine-readable line after wrk's report: requests/s, p50 and p99 in ms, non-2xx answers
-- and socket errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.2f %.1f %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
                         e.connect + e.read + e.write + e.timeout))
end
