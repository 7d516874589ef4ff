-- POST /books, all on one exhibition (BENCH_HOT), like
-- bench/pgbench/book_hot.sql.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
local hot = tonumber(os.getenv("BENCH_HOT") or "1")
local headers = {["Content-Type"] = "application/json"}

function request()
   local body = string.format('{"museumId":%d,"custNm":"%d"}', hot, math.random(1, 100000))
   return wrk.format("POST", "/books", headers, body)
end
