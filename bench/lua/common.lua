-- Shared by the bench's wrk scripts: per-thread random seeds, a status
-- split (2xx / 409 / other) and one machine-readable line at the end:
--   BENCH {"requests":N,"seconds":S,"rps":R,"p50_ms":..,"p99_ms":..,...}
-- Load it with dofile() from a script that defines request().
local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
   n2xx, n409, nother = 0, 0, 0
end

-- Counting statuses makes wrk parse each response; scripts that do not
-- need the split set count_status = false before loading this file.
if count_status ~= false then
   function response(status, headers, body)
      if status >= 200 and status < 300 then n2xx = n2xx + 1
      elseif status == 409 then n409 = n409 + 1
      else nother = nother + 1 end
   end
end

function done(summary, latency, requests)
   local a2xx, a409, aother = 0, 0, 0
   for _, t in ipairs(threads) do
      a2xx = a2xx + (t:get("n2xx") or 0)
      a409 = a409 + (t:get("n409") or 0)
      aother = aother + (t:get("nother") or 0)
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   if count_status == false then
      -- wrk counts statuses >= 400 in errors.status
      aother = e.status
      a2xx = summary.requests - e.status
   end
   io.write(string.format(
      'BENCH {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
      '"p99_ms":%.3f,"max_ms":%.3f,"n2xx":%d,"n409":%d,"nother":%d,' ..
      '"socket_errors":%d,"timeouts":%d}\n',
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      a2xx, a409, aother, e.connect + e.read + e.write, e.timeout))
end
