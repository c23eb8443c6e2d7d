// Token kinds and the token record the lexer produces. Tokens carry only offsets
// (`start`, `end`); line and column are computed when a diagnostic is rendered.

export type TokenKind =
  // literals and names
  | "int"
  | "float"
  | "char"
  | "string"
  | "ident"
  // keywords
  | "let"
  | "fn"
  | "if"
  | "else"
  | "loop"
  | "break"
  | "continue"
  | "for"
  | "in"
  | "return"
  | "true"
  | "false"
  | "null"
  | "is"
  | "vm"
  // punctuation
  | "("
  | ")"
  | "{"
  | "}"
  | "["
  | "]"
  | ","
  | ";"
  | ":"
  | "."
  | "->"
  | "=>"
  // operators
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**"
  | "++"
  | "--"
  | "="
  | "+="
  | "-="
  | "*="
  | "/="
  | "%="
  | "**="
  | "<<="
  | ">>="
  | "|="
  | "&="
  | "^="
  | "=="
  | "!="
  | "<"
  | ">"
  | "<="
  | ">="
  | "<<"
  | ">>"
  | "&"
  | "|"
  | "^"
  | "&&"
  | "||"
  | "!"
  | "eof";

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** int / float / char (code point) literal value; string literal text (escapes resolved). */
  value?: number | string;
}

export const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ["let", "let"],
  ["fn", "fn"],
  ["if", "if"],
  ["else", "else"],
  ["loop", "loop"],
  ["break", "break"],
  ["continue", "continue"],
  ["for", "for"],
  ["in", "in"],
  ["return", "return"],
  ["true", "true"],
  ["false", "false"],
  ["null", "null"],
  ["is", "is"],
  ["vm", "vm"],
]);

/** How a token kind is shown in a diagnostic ("`;`", "a name", "end of file"). */
export function describeKind(k: TokenKind): string {
  switch (k) {
    case "int":
      return "an integer";
    case "float":
      return "a float";
    case "char":
      return "a char literal";
    case "string":
      return "a string";
    case "ident":
      return "a name";
    case "eof":
      return "end of file";
    default:
      return "`" + k + "`";
  }
}
