local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local n = tonumber(arg[1])
local t0 = os.clock()
local r = fib(n)
local t1 = os.clock()
print(r); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
