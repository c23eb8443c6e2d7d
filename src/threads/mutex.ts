// A lock in one int32 word of shared memory, for the few tables that schedulers update
// together (an inbox's producers, the name registry). Three states — free, held, held with
// waiters — so that the common uncontended case is one compare-and-swap each way and a thread
// that cannot get the lock sleeps in Atomics.wait instead of spinning. While it waits it
// calls `idle` (which drains the caller's own inbox), so a lock holder that is itself waiting
// for the waiter's scheduler to make room can always go on.

const FREE = 0;
const HELD = 1;
const CONTENDED = 2;

export function lock(h: Int32Array, at: number, idle: () => void): void {
  if (Atomics.compareExchange(h, at, FREE, HELD) === FREE) return;
  while (Atomics.exchange(h, at, CONTENDED) !== FREE) {
    idle();
    Atomics.wait(h, at, CONTENDED, 1);
  }
}

export function unlock(h: Int32Array, at: number): void {
  if (Atomics.exchange(h, at, FREE) === CONTENDED) Atomics.notify(h, at, 1);
}
