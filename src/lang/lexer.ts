// The Kaylee lexer: source text -> tokens with `{start, end}` offsets (SPEC §2 "Lexical").
// Comments `//` and `/* */` (nesting allowed), integers `42 0x2A 0b101010 1_000`, floats
// `3.14 1e-3`, chars `'a' '\n' '\u{1F600}'`, strings with `\n \t \r \0 \\ \" \' \u{...}`.
// A first line starting with `#!` (a script's interpreter line) is skipped.
// A lexical error never throws: it becomes a diagnostic and lexing carries on, so the parser
// always gets a token stream ending in `eof`.

import { K, type Titled } from "../diag/codes.js";
import { diagnostic, type Diagnostic } from "../diag/diagnostic.js";
import { KEYWORDS, type Token, type TokenKind } from "./token.js";
import { decimalToF32 } from "../bytecode/float-text.js";

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
  /**
   * Offset where an unterminated string or comment began: everything after it was swallowed,
   * so syntax errors from there on are consequences, not mistakes of their own.
   */
  swallowedFrom: number | null;
}

const PUNCT3: readonly string[] = ["**=", "<<=", ">>="];
const PUNCT2 = ["**", "++", "--", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "==", "!=", "<=", ">=", "<<", ">>", "&&", "||", "->", "=>"];
const PUNCT1 = "(){}[],;:.+-*/%=<>&|^!";

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

export function lex(source: string, file: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let swallowedFrom: number | null = null;
  const n = source.length;
  let i = 0;
  // A first line starting with `#!` is a script's interpreter line (`#!/usr/bin/env -S raft run`).
  if (source.startsWith("#!")) {
    const nl = source.indexOf("\n");
    i = nl < 0 ? n : nl;
  }
  const err = (start: number, end: number, title: Titled, msg: string, hint?: string) =>
    diagnostics.push(diagnostic(file, title, { start, end: Math.max(end, start) }, msg, hint));
  const push = (kind: TokenKind, start: number, end: number, value?: number | string) => {
    const t: Token = { kind, start, end };
    if (value !== undefined) t.value = value;
    tokens.push(t);
  };

  /** Reads one escape after a backslash at `i` (pointing at the backslash); returns the code point or -1. */
  const escape = (quote: string): number => {
    const start = i;
    i++; // backslash
    const c = source[i];
    i++;
    switch (c) {
      case "n":
        return 10;
      case "t":
        return 9;
      case "r":
        return 13;
      case "0":
        return 0;
      case "\\":
        return 92;
      case '"':
        return 34;
      case "'":
        return 39;
      case "u": {
        if (source[i] !== "{") {
          err(start, i, K.badUnicodeEscape(), "expected `{` after `\\u`", "write a code point in braces: \\u{1F600}");
          return -1;
        }
        i++;
        const ds = i;
        while (i < n && /[0-9a-fA-F_]/.test(source[i]!)) i++;
        const digits = source.slice(ds, i).replace(/_/g, "");
        if (source[i] !== "}" || digits.length === 0 || digits.length > 6) {
          while (i < n && source[i] !== "}" && source[i] !== quote && source[i] !== "\n") i++;
          if (source[i] === "}") i++;
          err(start, i, K.badUnicodeEscape(), "not a valid `\\u{...}` escape", "write 1 to 6 hex digits in braces: \\u{1F600}");
          return -1;
        }
        i++;
        const cp = parseInt(digits, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          err(start, i, K.badUnicodeEscape(), "not a Unicode scalar value");
          return -1;
        }
        return cp;
      }
      default:
        // The file ends inside the literal: its own "unterminated" diagnostic says so.
        if (c === undefined) return -1;
        err(start, i, K.unknownEscape(), `\`\\${c}\` is not an escape`, "escapes are \\n \\t \\r \\0 \\\\ \\\" \\' and \\u{...}");
        return -1;
    }
  };

  while (i < n) {
    const c = source[i]!;
    // whitespace
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v" || c === "\ufeff") {
      i++;
      continue;
    }
    // comments
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const start = i;
      i += 2;
      let depth = 1;
      while (i < n && depth > 0) {
        if (source[i] === "/" && source[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (source[i] === "*" && source[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) swallowedFrom ??= start;
      if (depth > 0) err(start, start + 2, K.unterminatedComment(), "this comment is never closed", "close it with */");
      continue;
    }
    const start = i;
    // numbers
    if (isDigit(c)) {
      const afterDot = tokens.length > 0 && tokens[tokens.length - 1]!.kind === "." && tokens[tokens.length - 1]!.end === start;
      lexNumber(start, afterDot);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source[i]!)) i++;
      const word = source.slice(start, i);
      push(KEYWORDS.get(word) ?? "ident", start, i);
      continue;
    }
    if (c === '"') {
      i++;
      let text = "";
      let closed = false;
      while (i < n) {
        const d = source[i]!;
        if (d === '"') {
          i++;
          closed = true;
          break;
        }
        if (d === "\\") {
          const cp = escape('"');
          if (cp >= 0) text += String.fromCodePoint(cp);
          continue;
        }
        text += d;
        i++;
      }
      if (!closed) swallowedFrom ??= start;
      if (!closed) err(start, start + 1, K.unterminatedString(), "this string is never closed", 'end it with a `"`');
      push("string", start, i, text);
      continue;
    }
    if (c === "'") {
      i++;
      const cps: number[] = [];
      let closed = false;
      let bad = false;
      while (i < n && source[i] !== "\n") {
        const d = source[i]!;
        if (d === "'") {
          i++;
          closed = true;
          break;
        }
        if (d === "\\") {
          const cp = escape("'");
          if (cp >= 0) cps.push(cp);
          else bad = true;
          continue;
        }
        const cp = source.codePointAt(i)!;
        cps.push(cp);
        i += cp > 0xffff ? 2 : 1;
      }
      if (!closed) {
        err(start, start + 1, K.unterminatedChar(), "this char literal is never closed", "a char is one character in single quotes: 'a'");
        push("char", start, i, cps[0] ?? 0);
      } else if (!bad && cps.length !== 1) {
        err(
          start,
          i,
          cps.length === 0 ? K.emptyChar() : K.charTooLong(),
          "a char is exactly one character",
          cps.length === 0 ? "write a character between the quotes: 'a'" : "use double quotes for a string: \"" + source.slice(start + 1, i - 1) + '"',
        );
        push("char", start, i, cps[0] ?? 0);
      } else push("char", start, i, cps[0] ?? 0);
      continue;
    }
    // punctuation, longest match first
    const three = source.slice(i, i + 3);
    if (PUNCT3.includes(three)) {
      i += 3;
      push(three as TokenKind, start, i);
      continue;
    }
    const two = source.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      i += 2;
      push(two as TokenKind, start, i);
      continue;
    }
    if (PUNCT1.includes(c)) {
      i++;
      push(c as TokenKind, start, i);
      continue;
    }
    // anything else: one diagnostic for a run of unknown characters
    const cp = source.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    while (i < n) {
      const d = source[i]!;
      if (d <= " " || isIdentPart(d) || PUNCT1.includes(d) || d === '"' || d === "'") break;
      i += source.codePointAt(i)! > 0xffff ? 2 : 1;
    }
    const shown = source.slice(start, i);
    err(start, i, K.unexpectedCharacter(), `\`${shown.length > 20 ? shown.slice(0, 20) + "..." : shown}\` is not part of Kaylee`);
  }
  push("eof", n, n);
  return { tokens, diagnostics, swallowedFrom };

  function lexNumber(start: number, afterDot: boolean): void {
    let isFloat = false;
    let radix = 10;
    if (source[i] === "0" && (source[i + 1] === "x" || source[i + 1] === "X" || source[i + 1] === "b" || source[i + 1] === "B")) {
      radix = source[i + 1] === "x" || source[i + 1] === "X" ? 16 : 2;
      i += 2;
      const ds = i;
      const re = radix === 16 ? /[0-9a-fA-F_]/ : /[0-9_]/;
      while (i < n && re.test(source[i]!)) i++;
      while (i < n && isIdentPart(source[i]!)) i++; // swallow junk such as 0xZZ for one diagnostic
      const digits = source.slice(ds, i).replace(/_/g, "");
      const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[01]+$/;
      if (!valid.test(digits)) {
        err(start, i, K.badNumber(), `\`${source.slice(start, i)}\` is not a valid ${radix === 16 ? "hexadecimal" : "binary"} integer`);
        push("int", start, i, 0);
        return;
      }
      push("int", start, i, parseInt(digits, radix));
      return;
    }
    while (i < n && (isDigit(source[i]!) || source[i] === "_")) i++;
    if (!afterDot && source[i] === "." && isDigit(source[i + 1] ?? "")) {
      isFloat = true;
      i++;
      while (i < n && (isDigit(source[i]!) || source[i] === "_")) i++;
    }
    if (!afterDot && (source[i] === "e" || source[i] === "E")) {
      const sign = source[i + 1] === "+" || source[i + 1] === "-" ? 1 : 0;
      if (isDigit(source[i + 1 + sign] ?? "")) {
        isFloat = true;
        i += 1 + sign;
        while (i < n && (isDigit(source[i]!) || source[i] === "_")) i++;
      }
    }
    const end = i;
    // a name glued to a number (`12abc`) is one bad literal, one diagnostic
    if (i < n && isIdentStart(source[i]!)) {
      while (i < n && isIdentPart(source[i]!)) i++;
      err(start, i, K.badNumber(), `\`${source.slice(start, i)}\` is not a number`);
      push(isFloat ? "float" : "int", start, i, 0);
      return;
    }
    const text = source.slice(start, end).replace(/_/g, "");
    push(isFloat ? "float" : "int", start, end, isFloat ? decimalToF32(text) : Number(text));
  }
}
