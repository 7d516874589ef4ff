-- POST /books over 1,000 exhibitions (BENCH_BASE .. BENCH_BASE+999), with
-- custNm a number as text, like bench/pgbench/book_spread.sql.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
local base = tonumber(os.getenv("BENCH_BASE") or "1")
local headers = {["Content-Type"] = "application/json"}

function request()
   local body = string.format('{"museumId":%d,"custNm":"%d"}',
                              base + math.random(0, 999), math.random(1, 100000))
   return wrk.format("POST", "/books", headers, body)
end
