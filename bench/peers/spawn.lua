package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local n = tonumber(arg[1])
local function waiter(p) S.receive(p) end
collectgarbage("collect")
local k0 = collectgarbage("count")
local t0 = os.clock()
for _ = 1, n do S.spawn(waiter) end
S.run() -- every waiter runs to its receive
local t1 = os.clock()
collectgarbage("collect")
local k1 = collectgarbage("count")
print(S.live); print(string.format("@@ms %.3f", (t1 - t0) * 1000)); print(string.format("@@bytes %.1f", (k1 - k0) * 1024 / n))
