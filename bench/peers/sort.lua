local n = tonumber(arg[1])
local t0 = os.clock()
local v, x = {}, 42
for i = 1, n do x = (x * 75 + 74) % 65537; v[i] = x end
table.sort(v)
local t1 = os.clock()
print(v[1]); print(v[n // 2 + 1]); print(v[n]); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
