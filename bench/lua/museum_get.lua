-- GET /museums/{id} over the 1,000 bench exhibitions.
count_status = false
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
local base = tonumber(os.getenv("BENCH_BASE") or "1")

function request()
   return wrk.format("GET", "/museums/" .. (base + math.random(0, 999)))
end
