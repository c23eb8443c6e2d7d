// GENERATED from the opcode table in opcodes.ts by op-enum-source.ts: do not edit by hand.
// Opcode numbers as a const enum, so that the interpreter's switch cases are literals.

export const enum Op {
  /** do nothing */
  Nop = 0,
  /** prefix: every operand of the next instruction is 4 bytes */
  Wide = 1,
  /** end the process normally; `raft run` prints what is left on main's stack */
  Halt = 2,
  /** push constant #k */
  PushConst = 3,
  /** push the small integer n */
  PushInt = 4,
  /** push null */
  PushNull = 5,
  /** push true */
  PushTrue = 6,
  /** push false */
  PushFalse = 7,
  /** discard the top value */
  Pop = 8,
  /** duplicate the top value */
  Dup = 9,
  /** swap the two top values */
  Swap = 10,
  /** push local $n */
  Load = 11,
  /** pop into local $n */
  Store = 12,
  /** $d := constant #k */
  CopyLocalConst = 13,
  /** $d := $s */
  CopyLocalLocal = 14,
  /** $n := $n + imm (integer, checked) */
  IncLocal = 15,
  /** a + b */
  Add = 16,
  /** a - b */
  Sub = 17,
  /** a * b */
  Mul = 18,
  /** a / b, truncated toward zero */
  Div = 19,
  /** a % b, with the sign of a */
  Mod = 20,
  /** -a */
  Neg = 21,
  /** a ** b (b >= 0) */
  Exp = 22,
  /** a + imm */
  AddInt = 23,
  /** a & b */
  BitAnd = 24,
  /** a | b */
  BitOr = 25,
  /** a ^ b */
  BitXor = 26,
  /** a << b */
  Shl = 27,
  /** a >> b (arithmetic) */
  Shr = 28,
  /** error unless 0 <= a <= 255 (byte arithmetic) */
  CheckByte = 29,
  /** a + b */
  AddFloat = 30,
  /** a - b */
  SubFloat = 31,
  /** a * b */
  MulFloat = 32,
  /** a / b */
  DivFloat = 33,
  /** a % b */
  ModFloat = 34,
  /** -a */
  NegFloat = 35,
  /** a ** b */
  ExpFloat = 36,
  /** a == b (scalars: numbers, bools, strings, null) */
  Eq = 37,
  /** a != b (scalars) */
  NotEq = 38,
  /** a < b (numbers or strings) */
  Less = 39,
  /** a <= b */
  LessEq = 40,
  /** a > b */
  Greater = 41,
  /** a >= b */
  GreaterEq = 42,
  /** a == b by content (vectors, arrays, tuples) */
  EqValue = 43,
  /** a != b by content */
  NotEqValue = 44,
  /** !a */
  Not = 45,
  /** go to @l */
  Jump = 46,
  /** pop; go to @l if it is false (or, in assembly, 0 or null) */
  JumpIfFalse = 47,
  /** pop; go to @l unless it is false, 0 or null */
  JumpIfTrue = 48,
  /** go to @l unless $a < $b (integers) */
  LessJumpIfFalse = 49,
  /** call @f with its arguments on the stack; pushes its result */
  Call = 50,
  /** return the top value to the caller */
  Return = 51,
  /** call native #name with n arguments (methods are natives named type.method) */
  CallNative = 52,
  /** as CallNative, passing the arguments' static types (a tuple type) */
  CallNativeTyped = 53,
  /** string a + b */
  Concat = 54,
  /** pop n values into a new vector (or array) */
  MakeVector = 55,
  /** pop n values into a new tuple */
  MakeTuple = 56,
  /** v[i] of a vector or array; out of range is an error */
  Index = 57,
  /** v[i] := x (pops v, i, x); out of range is an error */
  StoreIndex = 58,
  /** s[i]: the i-th char of a string */
  IndexString = 59,
  /** t.n of a tuple */
  GetField = 60,
  /** t.n := x (pops t, x) */
  SetField = 61,
  /** length of a vector, array or slice */
  Length = 62,
  /** deep copy (value semantics of vectors, arrays, tuples) */
  CopyValue = 63,
  /** panic if the top value is an error (a use of a captured error) */
  CheckError = 64,
  /** a is error */
  IsError = 65,
  /** a fault in this frame until TryEnd pushes its error value and goes to @l */
  TryBegin = 66,
  /** close the innermost TryBegin region */
  TryEnd = 67,
  /** handler {panic}: panic now if the top value is an error */
  PanicIfError = 68,
  /** handler {panic: m}: panic with message #m if the top value is an error */
  PanicIfErrorMsg = 69,
  /** handler {message: m}: an error keeps its code and takes message #m */
  SetErrorMessage = 70,
  /** panic with the string on top of the stack */
  Panic = 71,
  /** start @f in a new process (linked if n=1, monitored if n=2); pushes its pid (n=2: the tuple (pid, ref)) */
  SpawnActor = 72,
  /** pops pid, message: copy the message (of type #T) into the mailbox; pushes null */
  SendMessage = 73,
  /** take the oldest message of type #T, waiting for one */
  ReceiveMessage = 74,
  /** as ReceiveMessage, waiting at most the popped ms; a timeout error otherwise */
  ReceiveTimeout = 75,
  /** push this process's pid */
  Self = 76,
  /** pops [parent,] strategy, max restarts, period ms; starts a supervisor (under parent if n=1); pushes its pid */
  SpawnSupervisor = 77,
  /** pops supervisor, strategy name; pushes null */
  SetStrategy = 78,
  /** pops supervisor, restart type, arguments of @f: starts a child; pushes its pid */
  StartChild = 79,
  /** pops supervisor, child: restarts that child now; pushes the new pid */
  RestartChild = 80,
  /** push the i32 at &a */
  LoadMem = 81,
  /** push the n-byte unsigned little-endian integer at &a */
  LoadMemN = 82,
  /** push the i32 at the address in $l */
  LoadMemInd = 83,
  /** push the n-byte integer at the address in $l */
  LoadMemIndN = 84,
  /** pop an i32 into &a */
  StoreMem = 85,
  /** pop into the n bytes at &a */
  StoreMemN = 86,
  /** pop an i32 into the address in $l */
  StoreMemInd = 87,
  /** pop into the n bytes at the address in $l */
  StoreMemIndN = 88,
  /** $d := the i32 at &a */
  CopyLocalMem = 89,
  /** $d := the n bytes at &a */
  CopyLocalMemN = 90,
  /** $d := the i32 at the address in $s */
  CopyLocalMemInd = 91,
  /** $d := the n bytes at the address in $s */
  CopyLocalMemIndN = 92,
  /** the i32 at &a := $s */
  CopyMemLocal = 93,
  /** the n bytes at &a := $s */
  CopyMemNLocal = 94,
  /** the i32 at the address in $d := $s */
  CopyMemIndLocal = 95,
  /** go to @l unless $a == $b (numbers) */
  EqJumpIfFalse = 96,
  /** go to @l unless $a != $b (numbers) */
  NotEqJumpIfFalse = 97,
  /** go to @l unless $a <= $b (numbers) */
  LessEqJumpIfFalse = 98,
  /** go to @l unless $a > $b (numbers) */
  GreaterJumpIfFalse = 99,
  /** go to @l unless $a >= $b (numbers) */
  GreaterEqJumpIfFalse = 100,
  /** go to @l unless $a == n */
  EqIntJumpIfFalse = 101,
  /** go to @l unless $a != n */
  NotEqIntJumpIfFalse = 102,
  /** go to @l unless $a < n */
  LessIntJumpIfFalse = 103,
  /** go to @l unless $a <= n */
  LessEqIntJumpIfFalse = 104,
  /** go to @l unless $a > n */
  GreaterIntJumpIfFalse = 105,
  /** go to @l unless $a >= n */
  GreaterEqIntJumpIfFalse = 106,
  /** a + $b (integer, checked) */
  AddLocal = 107,
  /** a - $b (integer, checked) */
  SubLocal = 108,
  /** a * $b (integer, checked) */
  MulLocal = 109,
  /** push $a + $b (integer, checked) */
  AddLocals = 110,
  /** push $a - $b (integer, checked) */
  SubLocals = 111,
  /** push $a * $b (integer, checked) */
  MulLocals = 112,
  /** a - n (integer, checked) */
  SubInt = 113,
  /** a * n (integer, checked) */
  MulInt = 114,
  /** a / n (integer, checked) */
  DivInt = 115,
  /** a % n (integer, checked) */
  ModInt = 116,
  /** a * #k (integer constant, checked) */
  MulConst = 117,
  /** a / #k (integer constant, checked) */
  DivConst = 118,
  /** a % #k (integer constant, checked) */
  ModConst = 119,
  /** push $a + n (integer, checked) */
  LoadAddInt = 120,
  /** push $a - n (integer, checked) */
  LoadSubInt = 121,
  /** push $a * n (integer, checked) */
  LoadMulInt = 122,
  /** a + $b (float) */
  AddFloatLocal = 123,
  /** a - $b (float) */
  SubFloatLocal = 124,
  /** a * $b (float) */
  MulFloatLocal = 125,
  /** a / $b (float) */
  DivFloatLocal = 126,
  /** push $a + $b (float) */
  AddFloatLocals = 127,
  /** push $a - $b (float) */
  SubFloatLocals = 128,
  /** push $a * $b (float) */
  MulFloatLocals = 129,
  /** push $a / $b (float) */
  DivFloatLocals = 130,
  /** a + #k (float constant) */
  AddFloatConst = 131,
  /** a - #k (float constant) */
  SubFloatConst = 132,
  /** a * #k (float constant) */
  MulFloatConst = 133,
  /** a / #k (float constant) */
  DivFloatConst = 134,
  /** push $v[$i] (vector or array); out of range is an error */
  IndexLocals = 135,
  /** return $a to the caller */
  ReturnLocal = 136,
  /** $v[$i] := x (pops x); out of range is an error */
  StoreIndexLocals = 137,
  /** $d := a + b (integer, checked) */
  AddStore = 138,
  /** $d := a - b (integer, checked) */
  SubStore = 139,
  /** $d := a * b (integer, checked) */
  MulStore = 140,
  /** $d := a + b (float) */
  AddFloatStore = 141,
  /** $d := a - b (float) */
  SubFloatStore = 142,
  /** $d := a * b (float) */
  MulFloatStore = 143,
  /** $d := a / b (float) */
  DivFloatStore = 144,
  /** $v[$i] := $v[$i] + x (pops x; floats); out of range is an error */
  AddFloatIndexLocals = 145,
  /** $v[$i] := $v[$i] - x (pops x; floats); out of range is an error */
  SubFloatIndexLocals = 146,
  /** $v[$i] := $v[$i] * x (pops x; floats); out of range is an error */
  MulFloatIndexLocals = 147,
  /** $v[$i] := $v[$i] / x (pops x; floats); out of range is an error */
  DivFloatIndexLocals = 148,
  /** $a := $a + 1 (checked), then go to @l unless $a == $b */
  IncEqJumpIfFalse = 149,
  /** $a := $a + 1 (checked), then go to @l unless $a != $b */
  IncNotEqJumpIfFalse = 150,
  /** $a := $a + 1 (checked), then go to @l unless $a < $b */
  IncLessJumpIfFalse = 151,
  /** $a := $a + 1 (checked), then go to @l unless $a <= $b */
  IncLessEqJumpIfFalse = 152,
  /** $a := $a + 1 (checked), then go to @l unless $a > $b */
  IncGreaterJumpIfFalse = 153,
  /** $a := $a + 1 (checked), then go to @l unless $a >= $b */
  IncGreaterEqJumpIfFalse = 154,
  /** $a := $a + 1 (checked), then go to @l unless $a == n */
  IncEqIntJumpIfFalse = 155,
  /** $a := $a + 1 (checked), then go to @l unless $a != n */
  IncNotEqIntJumpIfFalse = 156,
  /** $a := $a + 1 (checked), then go to @l unless $a < n */
  IncLessIntJumpIfFalse = 157,
  /** $a := $a + 1 (checked), then go to @l unless $a <= n */
  IncLessEqIntJumpIfFalse = 158,
  /** $a := $a + 1 (checked), then go to @l unless $a > n */
  IncGreaterIntJumpIfFalse = 159,
  /** $a := $a + 1 (checked), then go to @l unless $a >= n */
  IncGreaterEqIntJumpIfFalse = 160,
  /** the square root of a float (as float.sqrt) */
  SqrtFloat = 161,
  /** $d := a % n (integer, checked) */
  ModIntStore = 162,
  /** $d := a % #k (integer constant, checked) */
  ModConstStore = 163,
  /** take the oldest message whose type is in the set #S, waiting for one; pushes it, then its type's position in #S */
  ReceiveSelect = 164,
  /** as ReceiveSelect, waiting at most the popped ms (negative: a range fault); on a timeout pushes null, then -1 */
  ReceiveSelectTimeout = 165,
  /** DEST := SRC, for the pairs of places without a row of their own (#k $n &a &a..n &$n &$n..m >A B<); between memory places a byte copy */
  CopyPlaces = 166,
  /** push the integer in the region >A B< (1 to 4 bytes, little-endian) */
  LoadPlace = 167,
  /** pop an integer into the region >A B< (1 to 4 bytes, little-endian) */
  StorePlace = 168,
  /** extension opcode #e of the module's extension table, then its own operands; written by its name (Crc32 &100 16) */
  Ext = 169,
}

/** Code slots an instruction takes in a linked program (its opcode and its operands): `pc += Size.Call`. */
export const enum Size {
  Nop = 1,
  Wide = 1,
  Halt = 1,
  PushConst = 2,
  PushInt = 2,
  PushNull = 1,
  PushTrue = 1,
  PushFalse = 1,
  Pop = 1,
  Dup = 1,
  Swap = 1,
  Load = 2,
  Store = 2,
  CopyLocalConst = 3,
  CopyLocalLocal = 3,
  IncLocal = 3,
  Add = 1,
  Sub = 1,
  Mul = 1,
  Div = 1,
  Mod = 1,
  Neg = 1,
  Exp = 1,
  AddInt = 2,
  BitAnd = 1,
  BitOr = 1,
  BitXor = 1,
  Shl = 1,
  Shr = 1,
  CheckByte = 1,
  AddFloat = 1,
  SubFloat = 1,
  MulFloat = 1,
  DivFloat = 1,
  ModFloat = 1,
  NegFloat = 1,
  ExpFloat = 1,
  Eq = 1,
  NotEq = 1,
  Less = 1,
  LessEq = 1,
  Greater = 1,
  GreaterEq = 1,
  EqValue = 1,
  NotEqValue = 1,
  Not = 1,
  Jump = 2,
  JumpIfFalse = 2,
  JumpIfTrue = 2,
  LessJumpIfFalse = 4,
  Call = 2,
  Return = 1,
  CallNative = 3,
  CallNativeTyped = 4,
  Concat = 1,
  MakeVector = 2,
  MakeTuple = 2,
  Index = 1,
  StoreIndex = 1,
  IndexString = 1,
  GetField = 2,
  SetField = 2,
  Length = 1,
  CopyValue = 1,
  CheckError = 1,
  IsError = 1,
  TryBegin = 2,
  TryEnd = 1,
  PanicIfError = 1,
  PanicIfErrorMsg = 2,
  SetErrorMessage = 2,
  Panic = 1,
  SpawnActor = 3,
  SendMessage = 2,
  ReceiveMessage = 2,
  ReceiveTimeout = 2,
  Self = 1,
  SpawnSupervisor = 2,
  SetStrategy = 1,
  StartChild = 2,
  RestartChild = 1,
  LoadMem = 2,
  LoadMemN = 3,
  LoadMemInd = 2,
  LoadMemIndN = 3,
  StoreMem = 2,
  StoreMemN = 3,
  StoreMemInd = 2,
  StoreMemIndN = 3,
  CopyLocalMem = 3,
  CopyLocalMemN = 4,
  CopyLocalMemInd = 3,
  CopyLocalMemIndN = 4,
  CopyMemLocal = 3,
  CopyMemNLocal = 4,
  CopyMemIndLocal = 3,
  EqJumpIfFalse = 4,
  NotEqJumpIfFalse = 4,
  LessEqJumpIfFalse = 4,
  GreaterJumpIfFalse = 4,
  GreaterEqJumpIfFalse = 4,
  EqIntJumpIfFalse = 4,
  NotEqIntJumpIfFalse = 4,
  LessIntJumpIfFalse = 4,
  LessEqIntJumpIfFalse = 4,
  GreaterIntJumpIfFalse = 4,
  GreaterEqIntJumpIfFalse = 4,
  AddLocal = 2,
  SubLocal = 2,
  MulLocal = 2,
  AddLocals = 3,
  SubLocals = 3,
  MulLocals = 3,
  SubInt = 2,
  MulInt = 2,
  DivInt = 2,
  ModInt = 2,
  MulConst = 2,
  DivConst = 2,
  ModConst = 2,
  LoadAddInt = 3,
  LoadSubInt = 3,
  LoadMulInt = 3,
  AddFloatLocal = 2,
  SubFloatLocal = 2,
  MulFloatLocal = 2,
  DivFloatLocal = 2,
  AddFloatLocals = 3,
  SubFloatLocals = 3,
  MulFloatLocals = 3,
  DivFloatLocals = 3,
  AddFloatConst = 2,
  SubFloatConst = 2,
  MulFloatConst = 2,
  DivFloatConst = 2,
  IndexLocals = 3,
  ReturnLocal = 2,
  StoreIndexLocals = 3,
  AddStore = 2,
  SubStore = 2,
  MulStore = 2,
  AddFloatStore = 2,
  SubFloatStore = 2,
  MulFloatStore = 2,
  DivFloatStore = 2,
  AddFloatIndexLocals = 3,
  SubFloatIndexLocals = 3,
  MulFloatIndexLocals = 3,
  DivFloatIndexLocals = 3,
  IncEqJumpIfFalse = 4,
  IncNotEqJumpIfFalse = 4,
  IncLessJumpIfFalse = 4,
  IncLessEqJumpIfFalse = 4,
  IncGreaterJumpIfFalse = 4,
  IncGreaterEqJumpIfFalse = 4,
  IncEqIntJumpIfFalse = 4,
  IncNotEqIntJumpIfFalse = 4,
  IncLessIntJumpIfFalse = 4,
  IncLessEqIntJumpIfFalse = 4,
  IncGreaterIntJumpIfFalse = 4,
  IncGreaterEqIntJumpIfFalse = 4,
  SqrtFloat = 1,
  ModIntStore = 3,
  ModConstStore = 3,
  ReceiveSelect = 2,
  ReceiveSelectTimeout = 2,
  CopyPlaces = 4,
  LoadPlace = 3,
  StorePlace = 3,
  Ext = 2,
}
