/**
 * Splits a `script` / `notify*` command line into argv the way keepalived
 * does (keepalived/core/parser.c alloc_strvec_quoted_escaped): words split on
 * blanks, '...' and "..." group words (quotes removed), and a backslash
 * escapes the next character with C-like sequences (\n, \t, \0NN octal, \cX).
 * keepalived then execve()s argv directly, with no shell; a file without a
 * `#!` line is run by /bin/sh (as execvp does), and a command starting with
 * `<` (the `</dev/tcp/host/port` idiom) goes through /bin/sh -c.
 */
import { OnairError } from "../../../util/errors.js";

/** keepalived MAXBUF: longer command lines are refused. */
export const MAX_COMMAND_LINE = 1024;

const ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function readEscape(src: string, i: number): { ch: string; next: number } {
  const c = src[i];
  if (c === undefined) return { ch: "\\", next: i };
  if (c === "c" && i + 1 < src.length) {
    return { ch: String.fromCharCode(src.charCodeAt(i + 1) & 0x1f), next: i + 2 };
  }
  if (c >= "0" && c <= "7") {
    let v = 0;
    let j = i;
    while (j < i + 3 && j < src.length && src[j]! >= "0" && src[j]! <= "7") {
      v = v * 8 + (src.charCodeAt(j) - 48);
      j++;
    }
    return { ch: String.fromCharCode(v & 0xff), next: j };
  }
  return { ch: ESCAPES[c] ?? c, next: i + 1 };
}

/** Splits a command line; throws ONAIR_VRRP_SCRIPT_PARSE on an unmatched quote or an empty/oversized line. */
export function splitCommandLine(src: string): string[] {
  if (src.length > MAX_COMMAND_LINE) {
    throw new OnairError("ONAIR_VRRP_SCRIPT_PARSE", `command line longer than ${MAX_COMMAND_LINE} bytes`, {
      length: src.length,
    });
  }
  const words: string[] = [];
  let i = 0;
  const blank = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
  while (i < src.length) {
    while (i < src.length && blank(src[i]!)) i++;
    if (i >= src.length) break;
    let word = "";
    let quote: string | null = null;
    while (i < src.length) {
      const c = src[i]!;
      if (c === "\\") {
        const e = readEscape(src, i + 1);
        word += e.ch;
        i = e.next;
      } else if (quote) {
        if (c === quote) quote = null;
        else word += c;
        i++;
      } else if (c === '"' || c === "'") {
        quote = c;
        i++;
      } else if (blank(c)) {
        break;
      } else {
        word += c;
        i++;
      }
    }
    if (quote) {
      throw new OnairError("ONAIR_VRRP_SCRIPT_PARSE", `String '${src}': missing terminating ${quote}`, {
        command: src,
      });
    }
    words.push(word);
  }
  if (words.length === 0)
    throw new OnairError("ONAIR_VRRP_SCRIPT_PARSE", "empty command line", { command: src });
  return words;
}

/** Quotes argv for /bin/sh -c as keepalived's cmd_str() does ('…', with ' as '\''). */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((a, i) =>
      i === 0 && (a.startsWith("<") || a.startsWith(">")) ? a : `'${a.replaceAll("'", "'\\''")}'`,
    )
    .join(" ");
}

/** True when keepalived would hand the line to /bin/sh (the `</dev/tcp/...` file-open test). */
export function needsShell(argv: readonly string[]): boolean {
  return argv[0]!.startsWith("<");
}
