package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local n, laps = tonumber(arg[1]), tonumber(arg[2])
local function node(p, next) while true do S.send(next, S.receive(p)) end end
local done = 0
local t0 = os.clock()
S.spawn(function(main)
  local next = main
  for _ = 1, n - 1 do next = S.spawn(node, next) end
  local lap = 0
  while lap < laps do S.send(next, lap); S.receive(main); lap = lap + 1 end
  done = lap
end)
S.run()
local t1 = os.clock()
print(done); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
