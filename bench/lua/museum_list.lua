-- GET /museums: the first page, 100 rows.
count_status = false
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
wrk.path = "/museums"
