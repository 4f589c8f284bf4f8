/**
 * One lexer for brace-block config files, in two modes:
 * - "nginx": tokens end at whitespace, `;` or `{`; a statement ends with `;`,
 *   `{` or `}`; `#` starts a comment at a token start; single and double
 *   quotes with nginx's escapes (\" \' \\ \t \r \n). Mirrors ngx_conf_read_token.
 * - "keepalived": one statement a line (a newline ends it, emitted as an
 *   implicit `;`), `{` and `}` are tokens of their own, `#` and `!` start a
 *   comment, double quotes group words (no escapes), `;` is an ordinary char.
 * Every token carries its exact line. Errors are ConfigError, nothing else.
 */
import { COMMAND_LINE_FILE, ConfigError } from "./config-error.js";

export type LexMode = "nginx" | "keepalived";

export interface Token {
  kind: "word" | ";" | "{" | "}";
  value: string;
  line: number;
  /** The word was quoted (so `"{"` is a word, not a brace). */
  quoted: boolean;
  /** keepalived mode: the `;` stands for an end of line. */
  implicit: boolean;
}

/** nginx's NGX_CONF_BUFFER: no parameter may be longer. */
export const MAX_TOKEN_LENGTH = 4096;

const SP = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SEMI = 0x3b;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const DQUOTE = 0x22;

/** Character codes compare much faster than one-character strings on large files. */
function isSpace(c: number): boolean {
  return c === SP || c === TAB || c === LF || c === CR;
}

export function tokenize(text: string, file: string, mode: LexMode = "nginx"): Token[] {
  return mode === "nginx" ? new NginxLexer(text, file).run() : new KeepalivedLexer(text, file).run();
}

/** nginx's unescaping of a finished token (ngx_conf_read_token's copy loop). */
export function unescapeNginx(raw: string): string {
  if (!raw.includes("\\")) return raw;
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && i + 1 < raw.length) {
      const n = raw[i + 1];
      if (n === '"' || n === "'" || n === "\\") {
        out += n;
        i++;
        continue;
      }
      if (n === "t" || n === "r" || n === "n") {
        out += n === "t" ? "\t" : n === "r" ? "\r" : "\n";
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}

class NginxLexer {
  private readonly tokens: Token[] = [];
  private line = 1;
  private pos = 0;
  /** words since the last `;`, `{` or `}` (nginx's cf->args->nelts). */
  private args = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private fail(problem: string): never {
    throw new ConfigError(problem, { file: this.file, line: this.line });
  }

  private push(kind: Token["kind"], value: string, quoted = false): void {
    this.tokens.push({ kind, value, line: this.line, quoted, implicit: false });
    this.args = kind === "word" ? this.args + 1 : 0;
  }

  run(): Token[] {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (isSpace(c)) {
        if (c === LF) this.line++;
        this.pos++;
        continue;
      }
      const ch = t[this.pos];
      if (ch === "#") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (ch === ";" || ch === "{") {
        if (this.args === 0) this.fail(`unexpected "${ch}"`);
        this.push(ch, ch);
        this.pos++;
      } else if (ch === "}") {
        if (this.args !== 0) this.fail('unexpected "}"');
        this.push("}", "}");
        this.pos++;
      } else if (ch === '"' || ch === "'") {
        this.quoted(ch);
      } else {
        this.bare();
      }
    }
    return this.tokens;
  }

  private eof(): never {
    if (this.file === COMMAND_LINE_FILE) this.fail('unexpected end of parameter, expecting ";"');
    this.fail('unexpected end of file, expecting ";" or "}"');
  }

  private quoted(q: string): void {
    const t = this.text;
    const start = ++this.pos;
    const qc = q.charCodeAt(0);
    for (;;) {
      if (this.pos >= t.length) this.eof();
      const c = t.charCodeAt(this.pos);
      if (this.pos - start > MAX_TOKEN_LENGTH) {
        this.fail(`too long parameter, probably missing terminating "${q}" character`);
      }
      if (c === BACKSLASH) {
        if (t.charCodeAt(this.pos + 1) === LF) this.line++;
        this.pos += 2;
        continue;
      }
      if (c === LF) this.line++;
      if (c === qc) break;
      this.pos++;
    }
    this.push("word", unescapeNginx(t.slice(start, this.pos)), true);
    this.pos++;
    // nginx's need_space: a closing quote must be followed by a separator.
    if (this.pos >= t.length) this.eof();
    const next = t.charCodeAt(this.pos);
    if (isSpace(next) || next === SEMI || next === LBRACE) return;
    this.fail(`unexpected "${t[this.pos]}"`);
  }

  private bare(): void {
    const t = this.text;
    const start = this.pos;
    let variable = false;
    for (;;) {
      if (this.pos >= t.length) this.eof();
      if (this.pos - start > MAX_TOKEN_LENGTH) {
        this.fail(`too long parameter "${t.slice(start, start + 10)}..." started`);
      }
      const c = t.charCodeAt(this.pos);
      if (c === BACKSLASH) {
        if (t.charCodeAt(this.pos + 1) === LF) this.line++;
        this.pos += 2;
        variable = false;
        continue;
      }
      if (c === LBRACE && variable) {
        this.pos++;
        variable = false;
        continue;
      }
      if (isSpace(c) || c === SEMI || c === LBRACE) break;
      variable = c === DOLLAR;
      this.pos++;
    }
    this.push("word", unescapeNginx(t.slice(start, Math.min(this.pos, t.length))));
  }
}

class KeepalivedLexer {
  private readonly tokens: Token[] = [];
  private line = 1;
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private push(kind: Token["kind"], value: string, quoted = false, implicit = false): void {
    this.tokens.push({ kind, value, line: this.line, quoted, implicit });
  }

  private endLine(): void {
    const last = this.tokens[this.tokens.length - 1];
    if (last && last.kind === "word") this.push(";", "", false, true);
  }

  run(): Token[] {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === LF) {
        this.endLine();
        this.line++;
        this.pos++;
        continue;
      }
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      const ch = t[this.pos];
      if (ch === "#" || ch === "!") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (ch === "{" || ch === "}") {
        this.push(ch, ch);
        this.pos++;
      } else if (ch === '"') {
        this.quoted();
      } else {
        this.bare();
      }
    }
    this.endLine();
    return this.tokens;
  }

  private tooLong(start: number): void {
    if (this.pos - start > MAX_TOKEN_LENGTH) {
      throw new ConfigError(`too long parameter "${this.text.slice(start, start + 10)}..." started`, {
        file: this.file,
        line: this.line,
      });
    }
  }

  private quoted(): void {
    const t = this.text;
    const start = ++this.pos;
    while (this.pos < t.length && t.charCodeAt(this.pos) !== DQUOTE && t.charCodeAt(this.pos) !== LF) {
      this.pos++;
      this.tooLong(start);
    }
    if (t[this.pos] !== '"') {
      throw new ConfigError("unexpected end of line, expecting closing '\"'", {
        file: this.file,
        line: this.line,
      });
    }
    this.push("word", t.slice(start, this.pos), true);
    this.pos++;
  }

  private bare(): void {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (isSpace(c) || c === LBRACE || c === RBRACE) break;
      this.pos++;
      this.tooLong(start);
    }
    this.push("word", t.slice(start, this.pos));
  }
}
