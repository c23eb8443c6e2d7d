// Kaylee values as bytes, for everything that crosses between scheduler threads: a message's
// value, an exit signal's reason, a process that moves with its stack and mailbox.
//
// Values carry no tags in the VM (docs/architecture.md), so this encoding adds one byte of
// tag to each value it writes: what a JS value is (a number, a string, an array, an error, an
// exit notice, a reply address ...) is all it needs, whatever its Kaylee type (a pid or a ref
// is a number). Numbers that are int32 travel
// as 4 bytes, others (floats) as 8, so every value comes back exactly. Strings travel as
// UTF-16 code units. Arrays nest; a value is walked with an explicit stack (no host
// recursion), and a cyclic value (only hand-written bytecode can make one) is refused.
//
// A pointer or slice names a block of its owner's linear memory, which no other process may
// use: it crosses as a handle that every access refuses (`bad_pointer`), as it would be in
// another process on the same thread. The one exception is a process that moves with its
// memory (process-state.ts): between `beginProcess` and `endProcess`, pointers and slices into
// that memory cross as themselves — the first reference to a block carries its id, place,
// size and liveness, later ones its id only — and come back referring to one `Block` per id
// of the rebuilt memory. That mode also refuses (RangeError) any value it could not bring
// back exactly, where a message would cross as a printable handle. None of this touches the
// paths of plain values: it sits where a value is an object of no plain kind. A value of a
// host type (vm/host-types.ts) is refused in either mode: it stays on the embedder's thread.

import { ExitNotice, HostValue, KError, ReplyTo } from "../vm/values.js";
import { Block, ForeignHandle, LinearMemory, Pointer, Slice } from "../vm/memory.js";

export { ForeignHandle };

const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  Int = 3,
  Num = 4,
  Str = 5,
  Arr = 6,
  Err = 7,
  Exit = 8,
  Foreign = 9,
  /** A pointer into the memory of the process being moved (only between begin/endProcess). */
  Ptr = 10,
  /** A slice of the memory of the process being moved. */
  Slc = 11,
  /** A reply address (`from`): the caller's pid and the call's ref. */
  From = 12,
}

/** While a process is written or read: its memory and the blocks met so far. */
class OwnMemory<B> {
  constructor(
    readonly mem: LinearMemory | null,
    readonly blocks: B,
  ) {}
}

/** A growable byte buffer that values are written into. One per thread, reused. */
export class Writer {
  bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  len = 0;

  private own: OwnMemory<Set<Block>> | null = null;

  reset(): this {
    this.len = 0;
    return this;
  }

  /**
   * Until `endProcess`: values are parts of one process whose linear memory is `mem` (null:
   * it has none), written with pointers and slices into it as themselves; a value the codec
   * cannot bring back exactly is refused.
   */
  beginProcess(mem: LinearMemory | null): void {
    this.own = new OwnMemory(mem, new Set());
  }

  endProcess(): void {
    this.own = null;
  }

  private room(n: number): void {
    const need = this.len + n;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.bytes.subarray(0, this.len));
    this.bytes = b;
    this.view = new DataView(b.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.bytes[this.len++] = v;
  }

  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.len, v, true);
    this.len += 4;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  /** Bytes as they are (a process's linear memory). */
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.bytes.set(b, this.len);
    this.len += b.length;
  }

  str(s: string): void {
    const n = s.length;
    this.u32(n);
    this.room(n * 2 + 1);
    // Code units start on an even byte; the padding is written (zero), so that the same
    // value always gives the same bytes and no stale byte of an earlier value goes out.
    if (this.len & 1) this.bytes[this.len++] = 0;
    const b = this.bytes;
    let at = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      b[at++] = c & 0xff;
      b[at++] = c >>> 8;
    }
    this.len = at;
  }

  /** Any run-time value. Throws a RangeError on a cyclic value. */
  value(v: unknown): void {
    // Fast path for the common scalar messages.
    if (typeof v !== "object" || v === null) return this.scalar(v);
    if (!Array.isArray(v)) return this.object(v);
    // The arrays being written (the path from the root: a cycle comes back to one of them)
    // and the index of the next element of each. Scalars are written in place; only a
    // nested array goes on the stack.
    const arrays: unknown[][] = [v];
    const next: number[] = [0];
    const open = new Set<unknown>([v]);
    this.arrayHeader(v.length);
    while (arrays.length !== 0) {
      const top = arrays.length - 1;
      const a = arrays[top];
      let i = next[top];
      const n = a.length;
      while (i < n) {
        const x = a[i++];
        if (typeof x !== "object" || x === null) this.scalar(x);
        else if (Array.isArray(x)) {
          if (open.has(x)) throw new RangeError("a cyclic value cannot be sent");
          open.add(x);
          this.arrayHeader(x.length);
          next[top] = i;
          arrays.push(x);
          next.push(0);
          break;
        } else this.object(x);
      }
      if (i === n && arrays.length === top + 1) {
        open.delete(a);
        arrays.pop();
        next.pop();
      }
    }
  }

  private arrayHeader(n: number): void {
    this.u8(Tag.Arr);
    this.u32(n);
  }

  /** An object that is not an array. */
  private object(x: object): void {
    if (x instanceof KError) {
      this.u8(Tag.Err);
      this.str(x.message);
      this.str(x.code);
    } else if (x instanceof ExitNotice) {
      this.u8(Tag.Exit);
      this.i32(x.process);
      this.f64(x.ref);
      this.str(x.reason);
    } else if (x instanceof ReplyTo) {
      this.u8(Tag.From);
      this.i32(x.pid);
      this.f64(x.ref);
    } else if (x instanceof HostValue) {
      // The embedder's own value lives on its thread (vm/host-types.ts): it never crosses.
      throw new RangeError(`a ${x.type.name} (a value of a host type) cannot cross threads`);
    } else if (this.own !== null) this.handle(x, this.own);
    else {
      this.u8(Tag.Foreign);
      this.str(String(x));
    }
  }

  /** An object of no plain kind in a process being moved. */
  private handle(x: object, own: OwnMemory<Set<Block>>): void {
    const isPtr = x instanceof Pointer;
    if (isPtr || x instanceof Slice) {
      const b = x.block;
      if (b.mem === own.mem) {
        this.u8(isPtr ? Tag.Ptr : Tag.Slc);
        this.i32(x.offset);
        if (!isPtr) this.u32((x as Slice).length);
        this.u32(b.id);
        if (own.blocks.has(b)) this.u8(0);
        else {
          own.blocks.add(b);
          this.u8(b.live ? 2 : 1);
          this.u32(b.start);
          this.u32(b.size);
        }
        return;
      }
    } else if (!(x instanceof ForeignHandle)) {
      throw new RangeError(`a value of host type ${x.constructor?.name ?? "Object"} cannot cross threads`);
    }
    // Another process's memory: usable by nobody here, as on one thread.
    this.u8(Tag.Foreign);
    this.str(String(x));
  }

  private scalar(v: unknown): void {
    switch (typeof v) {
      case "number": {
        this.room(9);
        const at = this.len;
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.bytes[at] = Tag.Int;
          this.view.setInt32(at + 1, v, true);
          this.len = at + 5;
        } else {
          this.bytes[at] = Tag.Num;
          this.view.setFloat64(at + 1, v, true);
          this.len = at + 9;
        }
        return;
      }
      case "string":
        this.u8(Tag.Str);
        this.str(v);
        return;
      case "boolean":
        this.u8(v ? Tag.True : Tag.False);
        return;
      default:
        if (v !== null && this.own !== null) throw new RangeError(`a value of host type ${typeof v} cannot cross threads`);
        this.u8(Tag.Null);
    }
  }
}


/** Made when a thread first reads a long string: the decoder's set-up is start-up time a run on one scheduler need not pay. */
let utf16: TextDecoder | null = null;

/** Reads values back from bytes written by `Writer` (the bytes may be shared memory). */
export class Reader {
  private bytes: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  pos = 0;
  private end = 0;
  private own: OwnMemory<Map<number, Block>> | null = null;

  /** Until `endProcess`: values are parts of a process whose rebuilt memory is `mem`. */
  beginProcess(mem: LinearMemory | null): void {
    this.own = new OwnMemory(mem, new Map());
  }

  endProcess(): void {
    this.own = null;
  }

  on(bytes: Uint8Array, off: number, len: number): this {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.pos = off;
    this.end = off + len;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** `n` bytes as `Writer.raw` wrote them (a view of the record: copy what must outlive it). */
  raw(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new RangeError("bad value bytes: raw bytes longer than their record");
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u8(): number {
    return this.bytes[this.pos++];
  }

  i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    if (this.pos & 1) this.pos++;
    const at = this.pos;
    this.pos += n * 2;
    if (n < 24) {
      const b = this.bytes;
      let s = "";
      for (let i = at; i < at + n * 2; i += 2) s += String.fromCharCode(b[i] | (b[i + 1] << 8));
      return s;
    }
    // ignoreBOM: a decoder otherwise drops a leading U+FEFF, and a message may begin with one.
    return (utf16 ??= new TextDecoder("utf-16le", { ignoreBOM: true })).decode(this.bytes.subarray(at, at + n * 2));
  }

  /**
   * A string of a small set that recurs from record to record (a message's type key, an exit
   * reason): the same as `str`, but a recent one is returned again instead of being rebuilt,
   * so a stream of messages of one type allocates nothing for their type.
   */
  key(): string {
    const start = this.pos;
    const n = this.u32();
    if (this.pos & 1) this.pos++;
    const at = this.pos;
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) {
      const s = keys[k];
      if (s.length !== n) continue;
      let i = 0;
      const b = this.bytes;
      while (i < n && s.charCodeAt(i) === (b[at + 2 * i] | (b[at + 2 * i + 1] << 8))) i++;
      if (i === n) {
        this.pos += n * 2;
        return s;
      }
    }
    this.pos = start;
    const s = this.str();
    if (n <= 64) {
      keys[this.nextKey] = s;
      this.nextKey = (this.nextKey + 1) & 3;
    }
    return s;
  }

  private readonly keys: string[] = ["", "", "", ""];
  private nextKey = 0;

  /** One value, as `Writer.value` wrote it. */
  value(): unknown {
    const first = this.one();
    if (first !== OPEN) return first;
    // The arrays being filled and how many elements each holds when full. Arrays are filled
    // by push, so that they are packed (as the VM's own arrays are), not holey.
    const root = this.pendingArray!;
    const arrays: unknown[][] = [root];
    const lengths: number[] = [this.pendingLength];
    const fills: number[] = [0];
    while (arrays.length !== 0) {
      const top = arrays.length - 1;
      const a = arrays[top];
      const n = lengths[top];
      let i = fills[top];
      while (i < n) {
        const v = this.one();
        if (v === OPEN) {
          const child = this.pendingArray!;
          a[i++] = child;
          fills[top] = i;
          arrays.push(child);
          lengths.push(this.pendingLength);
          fills.push(0);
          break;
        }
        a[i++] = v;
      }
      if (arrays.length === top + 1 && i === n) {
        fills.pop();
        arrays.pop();
        lengths.pop();
      }
    }
    return root;
  }

  private pendingArray: unknown[] | null = null;
  private pendingLength = 0;

  private one(): unknown {
    switch (this.u8()) {
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Int:
        return this.i32();
      case Tag.Num:
        return this.f64();
      case Tag.Str:
        return this.str();
      case Tag.Arr: {
        const n = this.u32();
        if (n > this.end - this.pos) throw new RangeError("bad value bytes: array longer than its record");
        this.pendingArray = new Array(n);
        this.pendingLength = n;
        return OPEN;
      }
      case Tag.Err: {
        const message = this.str();
        return new KError(message, this.str());
      }
      case Tag.Exit: {
        const pid = this.i32();
        const ref = this.f64();
        return new ExitNotice(pid, this.str(), ref);
      }
      case Tag.From: {
        const pid = this.i32();
        return new ReplyTo(pid, this.f64());
      }
      case Tag.Foreign:
        return new ForeignHandle(this.str());
      case Tag.Ptr: {
        const offset = this.i32();
        return new Pointer(this.block(), offset);
      }
      case Tag.Slc: {
        const offset = this.i32();
        const length = this.u32();
        return new Slice(this.block(), offset, length);
      }
      default:
        throw new RangeError(`bad value bytes: tag ${this.bytes[this.pos - 1]} at ${this.pos - 1}`);
    }
  }

  /** The block of a pointer or slice: made at its first reference, shared by later ones. */
  private block(): Block {
    const own = this.own;
    if (own === null || own.mem === null) throw new RangeError("bad value bytes: a pointer outside a process that moves with its memory");
    const id = this.u32();
    const first = this.u8();
    if (first === 0) {
      const b = own.blocks.get(id);
      if (b === undefined) throw new RangeError(`bad value bytes: block #${id} used before it was described`);
      return b;
    }
    if (own.blocks.has(id)) throw new RangeError(`bad value bytes: block #${id} described twice`);
    const start = this.u32();
    const b = new Block(own.mem, id, start, this.u32(), first === 2);
    own.blocks.set(id, b);
    return b;
  }
}

const OPEN = Symbol("array follows");
