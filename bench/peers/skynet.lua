package.path = (arg[0]:match("(.*/)") or "./") .. "?.lua;" .. package.path
local S = require("sched")
local size = tonumber(arg[1])
local function skynet(p, parent, size, div)
  if size == 1 then S.send(parent, 1); return end
  local sub = size // div
  for _ = 1, div do S.spawn(skynet, p, sub, div) end
  local sum = 0
  for _ = 1, div do sum = sum + S.receive(p) end
  S.send(parent, sum)
end
local total = -1
local t0 = os.clock()
S.spawn(function(main) S.spawn(skynet, main, size, 10); total = S.receive(main) end)
S.run()
local t1 = os.clock()
print(total); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
