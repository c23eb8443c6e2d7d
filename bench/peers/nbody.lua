-- N-body in Lua's f64 (the Benchmarks Game's algorithm); compare time only.
local sqrt = math.sqrt
local PI = 3.141592653589793
local SOLAR = 4 * PI * PI
local DPY = 365.24
local x = {0.0, 4.84143144246472090, 8.34336671824457987, 12.8943695621391310, 15.3796971148509165}
local y = {0.0, -1.16032004402742839, 4.12479856412430479, -15.1111514016986312, -25.9193146099879641}
local z = {0.0, -0.103622044471123109, -0.403523417114321381, -0.223307578892655734, 0.179258772950371181}
local vx = {0.0, 0.00166007664274403694, -0.00276742510726862411, 0.00296460137564761618, 0.00268067772490389322}
local vy = {0.0, 0.00769901118419740425, 0.00499852801234917238, 0.00237847173959480950, 0.00162824170038242295}
local vz = {0.0, -0.0000690460016972063023, 0.0000230417297573763929, -0.0000296589568540237556, -0.0000951592254519715870}
local m = {1.0, 0.000954791938424326609, 0.000285885980666130812, 0.0000436624404335156298, 0.0000515138902046611451}
local nb = 5
for i = 1, nb do vx[i] = vx[i] * DPY; vy[i] = vy[i] * DPY; vz[i] = vz[i] * DPY; m[i] = m[i] * SOLAR end
local px, py, pz = 0.0, 0.0, 0.0
for i = 1, nb do px = px + vx[i] * m[i]; py = py + vy[i] * m[i]; pz = pz + vz[i] * m[i] end
vx[1] = -px / SOLAR; vy[1] = -py / SOLAR; vz[1] = -pz / SOLAR
local function energy()
  local e = 0.0
  for i = 1, nb do
    e = e + 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i])
    for j = i + 1, nb do
      local dx, dy, dz = x[i] - x[j], y[i] - y[j], z[i] - z[j]
      e = e - m[i] * m[j] / sqrt(dx * dx + dy * dy + dz * dz)
    end
  end
  return e
end
local steps = tonumber(arg[1])
local t0 = os.clock()
local e0 = energy()
local dt = 0.01
for _ = 1, steps do
  for i = 1, nb do
    for j = i + 1, nb do
      local dx, dy, dz = x[i] - x[j], y[i] - y[j], z[i] - z[j]
      local d2 = dx * dx + dy * dy + dz * dz
      local mag = dt / (d2 * sqrt(d2))
      local mi, mj = m[i] * mag, m[j] * mag
      vx[i] = vx[i] - dx * mj; vy[i] = vy[i] - dy * mj; vz[i] = vz[i] - dz * mj
      vx[j] = vx[j] + dx * mi; vy[j] = vy[j] + dy * mi; vz[j] = vz[j] + dz * mi
    end
  end
  for i = 1, nb do x[i] = x[i] + dt * vx[i]; y[i] = y[i] + dt * vy[i]; z[i] = z[i] + dt * vz[i] end
end
local e1 = energy()
local t1 = os.clock()
print(e0); print(e1); print(string.format("@@ms %.3f", (t1 - t0) * 1000))
