/**
 * Builds the directive tree of a brace-block file from the lexer's tokens and
 * expands `include` (globs allowed, relative paths against the folder of the
 * file that includes). Schemas walk the tree; this layer knows no directive
 * but `include`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "./config-error.js";
import { expandGlob, hasGlobMagic } from "./glob.js";
import { type LexMode, type Token, tokenize } from "./lexer.js";
import type { SourcePos } from "./types.js";

export interface ConfDirective {
  name: string;
  args: string[];
  /** File and line of the token that ended the directive (`;`, `{` or end of line), as nginx reports. */
  file: string;
  line: number;
  /** How the statement ended: `;` (or end of line in keepalived mode) or `{`. */
  terminator: ";" | "{";
  /** Children when terminator is `{`. */
  block: ConfDirective[] | null;
}

export interface ParseOptions {
  mode: LexMode;
  /** Folder relative includes are resolved against; default: the including file's folder. */
  includeBase?: string;
  /**
   * Folders tried, in order, for a relative include (without wildcards) that
   * is missing beside the including file: onair's own conf/ folder, so the
   * guide's `include mime.types;` works from anywhere.
   */
  fallbackIncludeDirs?: readonly string[];
  /** When given, every file read is appended to it (main file first, then includes in read order). */
  filesRead?: string[];
  /** Largest file accepted (bytes). */
  maxFileSize?: number;
}

/** Deepest include chain accepted (a file including itself stops here). */
export const MAX_INCLUDE_DEPTH = 16;
export const DEFAULT_MAX_FILE_SIZE = 16 * 1024 * 1024;

const STRERROR: Record<string, [number, string]> = {
  ENOENT: [2, "No such file or directory"],
  EACCES: [13, "Permission denied"],
  EISDIR: [21, "Is a directory"],
  ENOTDIR: [20, "Not a directory"],
  ELOOP: [40, "Too many levels of symbolic links"],
  EMFILE: [24, "Too many open files"],
  EFBIG: [27, "File too large"],
};

export function posOf(d: ConfDirective): SourcePos {
  return { file: d.file, line: d.line };
}

/** Reads a file as nginx's open() would, with nginx's error wording. */
export function readConfigFile(path: string, at: SourcePos | null, maxSize = DEFAULT_MAX_FILE_SIZE): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    const [no, text] = STRERROR[code] ?? [5, "Input/output error"];
    throw new ConfigError(`open() "${path}" failed (${no}: ${text})`, at, "ONAIR_CONFIG_OPEN_FAILED");
  }
  if (buf.length > maxSize) {
    throw new ConfigError(`open() "${path}" failed (27: File too large)`, at, "ONAIR_CONFIG_OPEN_FAILED");
  }
  // A UTF-8 byte order mark (editors on Windows add one) is not part of the first directive.
  const text = buf.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses a file on disk (path made absolute) into its directive tree. */
export function parseConfigFile(
  path: string,
  opts: ParseOptions,
  at: SourcePos | null = null,
): ConfDirective[] {
  const abs = resolve(path);
  const text = readConfigFile(abs, at, opts.maxFileSize);
  opts.filesRead?.push(abs);
  return parseConfigText(text, abs, opts, 0);
}

/** Parses text as if read from `file` (used for files and for `-g`). */
export function parseConfigText(text: string, file: string, opts: ParseOptions, depth = 0): ConfDirective[] {
  const tokens = tokenize(text, file, opts.mode);
  const lastLine = countLines(text);
  return new TreeBuilder(tokens, file, opts, depth, lastLine).build();
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

class TreeBuilder {
  private readonly stack: ConfDirective[][] = [[]];
  private pending: Token[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
    private readonly opts: ParseOptions,
    private readonly depth: number,
    private readonly lastLine: number,
  ) {}

  private fail(problem: string, line: number): never {
    throw new ConfigError(problem, { file: this.file, line });
  }

  private get current(): ConfDirective[] {
    return this.stack[this.stack.length - 1];
  }

  build(): ConfDirective[] {
    for (const tok of this.tokens) {
      if (tok.kind === "word") this.pending.push(tok);
      else if (tok.kind === ";") this.finish(";", tok.line);
      else if (tok.kind === "{") this.open(tok);
      else this.close(tok);
    }
    if (this.pending.length > 0) this.fail('unexpected end of file, expecting ";" or "}"', this.lastLine);
    if (this.stack.length > 1) this.fail('unexpected end of file, expecting "}"', this.lastLine);
    return this.stack[0];
  }

  private take(terminator: ";" | "{", line: number): ConfDirective {
    const [name, ...rest] = this.pending;
    this.pending = [];
    return {
      name: name.value,
      args: rest.map((t) => t.value),
      file: this.file,
      line,
      terminator,
      block: null,
    };
  }

  private finish(terminator: ";", line: number): void {
    if (this.pending.length === 0) {
      if (this.opts.mode === "keepalived") return;
      this.fail('unexpected ";"', line);
    }
    const d = this.take(terminator, line);
    if (d.name === "include") this.include(d);
    else this.current.push(d);
  }

  private open(tok: Token): void {
    let d: ConfDirective;
    if (this.pending.length > 0) {
      d = this.take("{", tok.line);
      this.current.push(d);
    } else {
      // keepalived allows the `{` on the line after the block's name.
      const prev = this.current[this.current.length - 1];
      if (this.opts.mode !== "keepalived" || !prev || prev.block || prev.line !== tok.line - 1) {
        this.fail('unexpected "{"', tok.line);
      }
      d = prev;
      d.terminator = "{";
      d.line = tok.line;
    }
    if (d.name === "include") this.fail('directive "include" is not terminated by ";"', tok.line);
    d.block = [];
    this.stack.push(d.block);
  }

  private close(tok: Token): void {
    if (this.pending.length > 0) {
      if (this.opts.mode !== "keepalived") this.fail('unexpected "}"', tok.line);
      this.finish(";", tok.line);
    }
    if (this.stack.length === 1) this.fail('unexpected "}"', tok.line);
    this.stack.pop();
  }

  private fallback(arg: string, target: string): string {
    if (isAbsolute(arg) || existsSync(target)) return target;
    for (const dir of this.opts.fallbackIncludeDirs ?? []) {
      const f = resolve(dir, arg);
      if (existsSync(f)) return f;
    }
    return target;
  }

  private include(d: ConfDirective): void {
    const at = posOf(d);
    if (d.args.length !== 1) throw new ConfigError('invalid number of arguments in "include" directive', at);
    if (this.depth >= MAX_INCLUDE_DEPTH) throw new ConfigError(`include nesting too deep "${d.args[0]}"`, at);
    const base = this.opts.includeBase ?? dirname(this.file);
    const target = isAbsolute(d.args[0]) ? d.args[0] : resolve(base, d.args[0]);
    const files = hasGlobMagic(target) ? expandGlob(target) : [this.fallback(d.args[0], target)];
    for (const f of files) {
      const text = readConfigFile(f, at, this.opts.maxFileSize);
      this.opts.filesRead?.push(f);
      const sub = parseConfigText(text, f, this.opts, this.depth + 1);
      for (const d of sub) this.current.push(d);
    }
  }
}
