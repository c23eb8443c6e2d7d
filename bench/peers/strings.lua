-- Lua strings are immutable and `s = s .. x` in a loop is quadratic, so the idiom is a buffer.
local n = tonumber(arg[1])
local t0 = os.clock()
local buf = {}
for i = 0, n - 1 do buf[#buf + 1] = tostring(i); buf[#buf + 1] = "," end
local s = table.concat(buf)
local t1 = os.clock()
print(#s); print(s:sub(#s - 1, #s - 1)); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
