/**
 * The Range header as nginx's range filter reads it
 * (ngx_http_range_filter_module.c, ngx_http_range_parse), limited to one
 * range: a header not starting with `bytes=` is ignored; a malformed or
 * wholly unsatisfiable one gives 416; a second satisfiable range, or ranges
 * adding up to more than the body, give the full body (nginx's
 * single_range/DECLINED path) instead of multipart/byteranges.
 */

export type RangeVerdict =
  | { kind: "none" }
  | { kind: "range"; start: number /** inclusive */; end: number }
  | { kind: "unsatisfiable" };

const NONE: RangeVerdict = { kind: "none" };
const UNSATISFIABLE: RangeVerdict = { kind: "unsatisfiable" };

/** Reads digits at `s[i..]`: [value, next index], or null when none or more than 15. */
function digits(s: string, i: number): [number, number] | null {
  const from = i;
  let v = 0;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
    v = v * 10 + (s.charCodeAt(i) - 0x30);
    i++;
  }
  if (i === from || i - from > 15) return null;
  return [v, i];
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === 0x20) i++;
  return i;
}

interface Span {
  start: number;
  /** exclusive */
  end: number;
  next: number;
}

/** One `a-b`, `a-` or `-n` spec at `i`, clamped to `length`; null = malformed. */
function readSpec(s: string, i: number, length: number): Span | null {
  let start = 0;
  let suffix = false;
  i = skipSpaces(s, i);
  if (s[i] !== "-") {
    const a = digits(s, i);
    if (!a) return null;
    [start, i] = a;
    i = skipSpaces(s, i);
    if (s[i++] !== "-") return null;
    i = skipSpaces(s, i);
    if (i >= s.length || s[i] === ",") return { start, end: length, next: i };
  } else {
    suffix = true;
    i++;
  }
  const b = digits(s, i);
  if (!b) return null;
  let end: number;
  [end, i] = b;
  i = skipSpaces(s, i);
  if (i < s.length && s[i] !== ",") return null;
  if (suffix) {
    start = end < length ? length - end : 0;
    end = length - 1;
  }
  end = end >= length ? length : end + 1;
  return { start, end, next: i };
}

export function parseRange(header: string | undefined, length: number): RangeVerdict {
  if (header === undefined || header.length < 7 || header.slice(0, 6).toLowerCase() !== "bytes=") return NONE;
  let i = 6;
  let first: Span | null = null;
  let total = 0;
  for (;;) {
    const span = readSpec(header, i, length);
    if (!span) return UNSATISFIABLE;
    if (span.start < span.end) {
      if (first) return NONE; // a second range: answer the whole body
      first = span;
      total += span.end - span.start;
    } else if (span.start === 0) {
      return NONE;
    }
    i = span.next;
    if (header[i++] !== ",") break;
  }
  if (!first) return UNSATISFIABLE;
  if (total > length) return NONE;
  return { kind: "range", start: first.start, end: first.end - 1 };
}
