-- GET /favicon.svg (213 bytes) from the same nginx: the HTTP ceiling.
count_status = false
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
wrk.path = "/favicon.svg"
