/**
 * Recorded file names, as nginx-rtmp's ngx_rtmp_record_make_path builds them:
 * `record_path` + "/" + the stream name escaped as a URI component, then
 * "-UNIXTIME" when `record_unique`, then `record_suffix` (run through strftime
 * when it holds a '%'), all for the time the file was opened.
 */
import { strftime } from "./strftime.js";

export interface RecordNaming {
  /** Absolute folder (record_path). */
  dir: string;
  suffix: string;
  unique: boolean;
}

const KEEP = /[A-Za-z0-9._~-]/;

/**
 * The stream name as one safe file-name component: bytes other than
 * unreserved URI characters become %XX, so "/" and NUL can never reach the
 * file system; "." and ".." are escaped whole.
 */
export function escapeStreamName(name: string): string {
  let out = "";
  for (const ch of name) {
    if (KEEP.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (out === "." || out === "..") out = out.replaceAll(".", "%2E");
  return out;
}

/** The absolute path of the file opened at wall time `wallMs` (ms since the epoch). */
export function recordFilePath(naming: RecordNaming, name: string, wallMs: number): string {
  const dir = naming.dir.replace(/\/+$/, "");
  let file = escapeStreamName(name);
  if (naming.unique) file += `-${Math.floor(wallMs / 1000)}`;
  file += naming.suffix.includes("%") ? strftime(naming.suffix, wallMs) : naming.suffix;
  // a suffix pattern could still produce a separator ("%D" = mm/dd/yy): keep one folder
  return `${dir}/${file.replaceAll("/", "-")}`;
}
