-- POST /books over the 1,000 bench exhibitions at a steady total rate
-- (BENCH_RATE requests/s, BENCH_THREADS wrk threads): the producer of the
-- commit-to-effect measurement. Each thread hands out send slots
-- 1/(rate/threads) apart; delay() waits for the next slot.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local base = tonumber(os.getenv("BENCH_BASE") or "1")
local interval = 1000 / (tonumber(os.getenv("BENCH_RATE") or "500") /
                         tonumber(os.getenv("BENCH_THREADS") or "2"))
local headers = {["Content-Type"] = "application/json"}
local slot = nil

function delay()
   local now = now_ms()
   slot = slot and math.max(slot + interval, now - 50) or now -- catch up 50 ms at most
   return math.max(0, math.floor(slot - now + 0.5))
end

function request()
   local body = string.format('{"museumId":%d,"custNm":"%d"}',
                              base + math.random(0, 999), math.random(1, 100000))
   return wrk.format("POST", "/books", headers, body)
end
