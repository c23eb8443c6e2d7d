// Generated well-typed Kaylee programs (fast-check, fixed seed): every one must compile with
// no diagnostic, pass the verifier, and run to an end (a panic such as an overflow is fine)
// with no host exception and the same output in both tiers.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Raft } from "../src/raft.js";
import { Natives } from "../src/vm/natives.js";
import { link } from "../src/vm/program.js";

type Ty = "integer" | "float" | "bool" | "string";
const TYPES: Ty[] = ["integer", "float", "bool", "string"];

/** A deterministic generator driven by a list of random choices. */
class Gen {
  private i = 0;
  private vars: { name: string; ty: Ty }[][] = [[]];
  private n = 0;
  constructor(private readonly r: number[]) {}
  pick(k: number): number {
    const v = this.r[this.i++ % this.r.length];
    return v % k;
  }
  private visible(ty: Ty): string[] {
    return this.vars.flat().filter((v) => v.ty === ty).map((v) => v.name);
  }
  expr(ty: Ty, depth: number): string {
    const vars = this.visible(ty);
    if (depth <= 0 || this.pick(3) === 0) {
      if (vars.length && this.pick(2) === 0) return vars[this.pick(vars.length)];
      return this.literal(ty);
    }
    const d = depth - 1;
    switch (ty) {
      case "integer":
        return [
          () => `(${this.expr("integer", d)} + ${this.expr("integer", d)})`,
          () => `(${this.expr("integer", d)} - ${this.expr("integer", d)})`,
          () => `(${this.expr("integer", d)} * ${this.literal("integer")})`,
          () => `(${this.expr("integer", d)} % ${this.pick(9) + 1})`,
          () => `${this.expr("string", d)}.length()`,
          () => `(${this.expr("integer", d)}){default: 0}`,
        ][this.pick(6)]();
      case "float":
        return [() => `(${this.expr("float", d)} + ${this.expr("float", d)})`, () => `(${this.expr("float", d)} * ${this.expr("float", d)})`, () => `${this.expr("float", d)}.abs()`][this.pick(3)]();
      case "bool":
        return [
          () => `(${this.expr("integer", d)} < ${this.expr("integer", d)})`,
          () => `(${this.expr("string", d)} == ${this.expr("string", d)})`,
          () => `(${this.expr("bool", d)} && ${this.expr("bool", d)})`,
          () => `!(${this.expr("bool", d)})`,
        ][this.pick(4)]();
      case "string":
        return [() => `(${this.expr("string", d)} + ${this.expr("string", d)})`, () => `${this.expr("string", d)}.upper()`, () => `${this.expr("string", d)}.trim()`][this.pick(3)]();
    }
  }
  literal(ty: Ty): string {
    switch (ty) {
      case "integer": {
        const n = this.pick(200) - 100;
        return n < 0 ? `(${n})` : String(n);
      }
      case "float":
        return `${this.pick(100)}.${this.pick(10)}`;
      case "bool":
        return this.pick(2) ? "true" : "false";
      case "string":
        return JSON.stringify(["", "a", "Kay", "lee", " x "][this.pick(5)]);
    }
  }
  stmts(count: number, depth: number): string[] {
    const out: string[] = [];
    for (let k = 0; k < count; k++) out.push(...this.stmt(depth));
    return out;
  }
  stmt(depth: number): string[] {
    const choice = depth <= 0 ? this.pick(3) : this.pick(6);
    const ty = TYPES[this.pick(4)];
    switch (choice) {
      case 0: {
        const name = `v${this.n++}`;
        const line = ty === "string" && this.pick(2) === 0 ? `let ${name}: string = ${this.expr("integer", 2)}.into();` : `let ${name}: ${ty} = ${this.expr(ty, 3)};`;
        this.vars[this.vars.length - 1].push({ name, ty });
        return [line];
      }
      case 1: {
        const vars = this.visible(ty);
        return vars.length ? [`${vars[this.pick(vars.length)]} = ${this.expr(ty, 2)};`] : [];
      }
      case 2:
        return [`vm.println(${this.expr(ty, 3)});`];
      case 3: {
        const then = this.block(depth);
        const els = this.block(depth);
        return [`if (${this.expr("bool", 2)}) {`, ...then, "} else {", ...els, "}"];
      }
      case 4: {
        const c = `c${this.n++}`;
        const body = this.block(depth);
        return [`let ${c}: integer = 0;`, "loop {", `    if (${c} == ${this.pick(4)}) { break; }`, `    ${c}++;`, ...body, "}"];
      }
      default: {
        const items = `w${this.n++}`;
        const it = `x${this.n++}`;
        this.vars.push([{ name: it, ty: "integer" }]);
        const body = this.stmts(1 + this.pick(2), depth - 1);
        this.vars.pop();
        return [`let ${items}: vector[integer] = [${this.literal("integer")}, ${this.literal("integer")}];`, `for ${it} in ${items} {`, ...body, "}", `vm.println(${items});`];
      }
    }
  }
  private block(depth: number): string[] {
    this.vars.push([]);
    const out = this.stmts(1 + this.pick(3), depth - 1).map((l) => "    " + l);
    this.vars.pop();
    return out;
  }
}

export function program(choices: number[]): string {
  const g = new Gen(choices);
  return g.stmts(4 + g.pick(8), 3).join("\n") + "\n";
}

test("property: generated well-typed programs compile, verify and run in both tiers alike", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(1_000_000), { minLength: 50, maxLength: 400 }), async (choices) => {
      const src = program(choices);
      const raft = new Raft({ stdout: () => {}, stderr: () => {} });
      const c = raft.compile(src, "gen.kl");
      assert.equal(c.diagnostics.length, 0, `${src}\n${c.diagnostics.map((d) => d.title).join("\n")}`);
      assert.doesNotThrow(() => link(c.module!, new Natives()), src);
      const outs: string[] = [];
      for (const jit of ["off", "eager"] as const) {
        let out = "";
        const r = await new Raft({ stdout: (s) => (out += s), stderr: () => {}, jit, maxReductions: 2_000_000 }).run(c.module!);
        assert.ok(r.exitCode === 0 || r.exitCode === 1, `exit ${r.exitCode}\n${src}`);
        outs.push(`${r.exitCode}\n${out}`);
      }
      assert.equal(outs[1], outs[0], src);
    }),
    { numRuns: 300, seed: 31337 },
  );
});
