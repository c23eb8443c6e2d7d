local n = tonumber(arg[1])
local t0 = os.clock()
local a = 0
for i = 0, n - 1 do a = (a * 31 + i) % 1000003 end
local t1 = os.clock()
print(a); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
