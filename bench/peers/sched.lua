-- A minimal coroutine scheduler for the actor peers (ring, spawn, skynet): a process is a
-- coroutine with a mailbox; a FIFO run queue holds the processes that have work.
local S = {}
local queue, qh, qt = {}, 1, 0
S.live = 0
S.procs = {} -- the process table: keeps waiting processes alive, as a VM's would

function S.spawn(f, ...)
  local args = table.pack(...)
  local p = { mbox = {}, mh = 1, mt = 0, waiting = false, queued = true }
  p.co = coroutine.create(function() f(p, table.unpack(args, 1, args.n)); S.live = S.live - 1; S.procs[p] = nil end)
  S.live = S.live + 1; S.procs[p] = true
  qt = qt + 1; queue[qt] = p
  return p
end

function S.send(p, m)
  p.mt = p.mt + 1; p.mbox[p.mt] = m
  if p.waiting and not p.queued then
    p.queued = true
    qt = qt + 1; queue[qt] = p
  end
end

function S.receive(p)
  while p.mh > p.mt do
    p.waiting = true
    coroutine.yield()
  end
  p.waiting = false
  local m = p.mbox[p.mh]; p.mbox[p.mh] = nil; p.mh = p.mh + 1
  return m
end

function S.run()
  while qh <= qt do
    local p = queue[qh]; queue[qh] = nil; qh = qh + 1
    p.queued = false
    local ok, err = coroutine.resume(p.co)
    if not ok then error(err) end
  end
end

return S
