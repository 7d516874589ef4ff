-- GET /myPages?custNm=cust-<n>, n in 1..1000 (5 entries each, bench/seed.sql).
count_status = false
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

-- Listing by custNm is for staff: bench/run.sh puts the credentials in BENCH_AUTH.
local headers = { ["Authorization"] = os.getenv("BENCH_AUTH") }

function request()
   return wrk.format("GET", "/myPages?custNm=cust-" .. math.random(1, 1000), headers)
end
