/**
 * Validators and conditional requests as nginx's not_modified filter does
 * them (ngx_http_not_modified_filter_module.c) with its defaults
 * (`if_modified_since exact`, `etag on`):
 * - ETag is `"<mtime seconds hex>-<size hex>"`;
 * - If-Unmodified-Since / If-Match that fail → 412;
 * - If-Modified-Since equal to Last-Modified (exact) AND, when present,
 *   If-None-Match matching (weak comparison) → 304. When both headers are
 *   sent, both must agree, as nginx requires.
 */
import type { IncomingHttpHeaders } from "node:http";

export interface Validators {
  /** Seconds since the epoch. */
  mtimeSec: number;
  etag: string;
}

export function makeEtag(mtimeMs: number, size: number): string {
  return `"${Math.floor(mtimeMs / 1000).toString(16)}-${size.toString(16)}"`;
}

/** Seconds since the epoch, or -1 when the date does not parse. */
export function parseHttpDate(value: string): number {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : -1;
}

/** nginx's ngx_http_test_if_match: `*`, or any listed tag equal to ours (W/ ignored when weak). */
export function etagListMatches(header: string, etag: string, weak: boolean): boolean {
  const h = header.trim();
  if (h === "*") return true;
  const ours = weak && etag.startsWith("W/") ? etag.slice(2) : etag;
  for (const raw of h.split(",")) {
    let tag = raw.trim();
    if (weak && tag.startsWith("W/")) tag = tag.slice(2);
    if (tag === ours) return true;
  }
  return false;
}

export type ConditionalVerdict = 200 | 304 | 412;

export function evaluateConditionals(headers: IncomingHttpHeaders, v: Validators): ConditionalVerdict {
  const ius = headers["if-unmodified-since"];
  if (ius !== undefined && !(parseHttpDate(ius) >= v.mtimeSec)) return 412;
  const ifMatch = headers["if-match"];
  if (ifMatch !== undefined && !etagListMatches(ifMatch, v.etag, false)) return 412;
  const ims = headers["if-modified-since"];
  const inm = headers["if-none-match"];
  if (ims === undefined && inm === undefined) return 200;
  if (ims !== undefined && parseHttpDate(ims) !== v.mtimeSec) return 200;
  if (inm !== undefined && !etagListMatches(inm, v.etag, true)) return 200;
  return 304;
}

/** If-Range (nginx): a quoted value must equal the ETag exactly, else a date equal to Last-Modified. */
export function ifRangeAllows(headers: IncomingHttpHeaders, v: Validators): boolean {
  const ir = headers["if-range"];
  if (ir === undefined) return true;
  if (typeof ir !== "string") return false;
  if (ir.length >= 2 && ir.endsWith('"')) return ir === v.etag;
  return parseHttpDate(ir) === v.mtimeSec;
}
