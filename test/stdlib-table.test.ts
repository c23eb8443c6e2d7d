// The standard library's one declaration (src/lang/builtins.ts) against what implements it:
// every row's native exists in the VM's table or its instruction is lowered by the code
// generator, every native of the VM is declared, the error codes are catalogued ones, and
// docs/reference.md is what the table renders (`UPDATE_REFERENCE=1 npm test` rewrites it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { ALL_ROWS, INTERNAL_NATIVES, METHODS, VM_FUNCTIONS, fallibleNames } from "../src/lang/builtins.js";
import { referenceMarkdown } from "../src/lang/reference.js";
import { OPCODE_LOWERINGS } from "../src/lang/codegen.js";
import { OPCODES, opNumber } from "../src/bytecode/opcodes.js";
import { Natives } from "../src/vm/natives.js";
import { FALLIBLE_NATIVES } from "../src/vm/fallible.js";
import { ERROR_CODES } from "../src/vm/error-codes.js";

test("docs/reference.md is generated from the table", () => {
  const committed = readFileSync("docs/reference.md", "utf8");
  if (process.env.UPDATE_REFERENCE) writeFileSync("docs/reference.md", referenceMarkdown());
  else assert.equal(committed, referenceMarkdown(), "run `npm run docs:reference` (or UPDATE_REFERENCE=1 npm test) to regenerate docs/reference.md");
});

test("every declared call is implemented: its native exists, or its instruction is lowered", () => {
  const natives = new Natives();
  const missing: string[] = [];
  for (const r of [...ALL_ROWS, ...INTERNAL_NATIVES]) {
    const impl = r.impl;
    if (impl.native !== undefined && !natives.has(impl.native)) missing.push(`${r.name}: no native ${impl.native}`);
    if (impl.kind === "opcode") {
      const op = OPCODES.find((o) => o.name === impl.op);
      if (!op) missing.push(`${r.name}: no instruction ${impl.op}`);
      else if (op.operands.length > 0 && !(impl.op in OPCODE_LOWERINGS)) missing.push(`${r.name}: the code generator has no lowering for ${impl.op}, whose operands are its own`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every native of the VM is declared: by a row, or as a native no call names", () => {
  const declared = new Set([...ALL_ROWS, ...INTERNAL_NATIVES].map((r) => r.impl.native).filter((n) => n !== undefined));
  const undeclared = new Natives().names().filter((n) => !declared.has(n));
  assert.deepEqual(undeclared, [], "declare these in src/lang/builtins.ts");
});

test("every lowering of an instruction serves a row", () => {
  const used = new Set(ALL_ROWS.map((r) => (r.impl.kind === "opcode" ? r.impl.op : "")));
  for (const op of Object.keys(OPCODE_LOWERINGS)) {
    assert.ok(used.has(op), `OPCODE_LOWERINGS.${op} is lowered for no row`);
    assert.ok(opNumber(op) >= 0);
  }
});

test("rows: unique names, a doc each, catalogued error codes, and a fallible row lists what it returns", () => {
  const names = ALL_ROWS.map((r) => r.name);
  assert.equal(new Set(names).size, names.length, "a name declared twice");
  assert.equal(VM_FUNCTIONS.size + METHODS.size, ALL_ROWS.length);
  for (const r of [...ALL_ROWS, ...INTERNAL_NATIVES]) {
    assert.ok(r.doc.length > 0, `${r.name} has a doc line`);
    assert.ok(!r.doc.includes("\n"), `${r.name}: one line`);
    for (const c of r.errors) assert.ok(c in ERROR_CODES, `${r.name}: unknown error code ${c}`);
    assert.ok(r.paramNames.length >= r.params.length || r.paramNames.length === 0, `${r.name}: names for only some parameters`);
  }
  for (const r of ALL_ROWS) {
    // into()'s failures depend on its target (intoIsFallible); every other row lists exactly what it may return.
    if (r.special === "into") continue;
    if (r.fallible) assert.ok(r.errors.length > 0, `${r.name} is fallible: list the codes it returns (errors: [C.x, ...])`);
    else assert.deepEqual(r.errors, [], `${r.name} lists error codes but is not fallible`);
  }
});

test("the natives whose failures are values are exactly the fallible rows' natives", () => {
  for (const name of fallibleNames()) assert.ok(FALLIBLE_NATIVES.has(name), name);
  for (const r of ALL_ROWS) if (r.impl.native !== undefined && r.special !== "into") assert.equal(FALLIBLE_NATIVES.has(r.impl.native), r.fallible, r.name);
});
