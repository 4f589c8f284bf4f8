/**
 * What `record_append` needs from a file left by an earlier recording: its
 * size, where its timestamps end (new tags continue from there, as
 * nginx-rtmp's ngx_rtmp_record_node_open does), the header flags and where
 * the onMetaData duration/filesize numbers are. A file that does not end on a
 * whole tag is refused (left untouched) rather than overwritten.
 */
import type { FileHandle } from "node:fs/promises";
import { tagTimestamp } from "../../engine/record/flv-tag-frame.js";
import { numberSlot } from "../../engine/record/record-metadata.js";
import { FLV_TAG_SCRIPT, parseFlvHeader } from "../../protocol/flv/flv-file.js";
import { OnairError } from "../../util/errors.js";

export interface ExistingFlv {
  size: number;
  /** Added to every new tag's timestamp (ms): past the last tags of the file. */
  shift: number;
  flags: number;
  meta: { durationAt: number; filesizeAt: number } | null;
}

/** First bytes read to find the onMetaData tag. */
const HEAD_READ = 64 * 1024;
/** Last bytes read to find where the timestamps end. */
const TAIL_READ = 256 * 1024;
/** Unless the last tag is bigger (up to the 16 MiB an FLV tag can hold). */
const MAX_TAIL_READ = 0x1000000 + 16;
/** Tags walked back from the end. */
const TAIL_TAGS = 64;
const DEFAULT_STEP_MS = 40;

/**
 * Walks back over the last tags of `tail` (which ends at the end of the file)
 * with the back-pointers: the timestamp new tags start at is the highest one
 * seen plus one video frame step, so neither track goes back in time (the
 * last tag alone, nginx-rtmp's choice, can be behind the other track).
 * null when the very last tag is not whole.
 */
export function continueAfter(tail: Buffer, end: number): number | null {
  let pos = end;
  let maxTs = -1;
  const video: number[] = [];
  for (let n = 0; n < TAIL_TAGS && pos >= 4 + 11; n++) {
    const tagSize = tail.readUInt32BE(pos - 4);
    const start = pos - 4 - tagSize;
    if (tagSize < 11 || start < 0 || tail.readUIntBE(start + 1, 3) + 11 !== tagSize) break;
    const ts = tagTimestamp(tail, start);
    maxTs = Math.max(maxTs, ts);
    if ((tail[start]! & 0x1f) === 9 && video.length < 2) video.push(ts);
    pos = start;
  }
  if (maxTs < 0) return null;
  const step = video.length === 2 && video[0]! > video[1]! ? video[0]! - video[1]! : DEFAULT_STEP_MS;
  return maxTs + step;
}

async function readAt(fh: FileHandle, at: number, n: number): Promise<Buffer> {
  const b = Buffer.alloc(n);
  const { bytesRead } = await fh.read(b, 0, n, at);
  return b.subarray(0, bytesRead);
}

function bad(path: string, why: string): OnairError {
  return new OnairError("ONAIR_RECORD_APPEND_BAD_FILE", `cannot append to ${path}: ${why}`, { path });
}

/** null for an empty (or header-less) file: it is started afresh. */
export async function readExistingFlv(fh: FileHandle, path = "the file"): Promise<ExistingFlv | null> {
  const size = (await fh.stat()).size;
  if (size < 13) return null;
  const head = await readAt(fh, 0, Math.min(size, HEAD_READ));
  let dataOffset: number;
  try {
    dataOffset = parseFlvHeader(head).dataOffset;
  } catch (e) {
    throw bad(path, (e as Error).message);
  }
  const first = dataOffset + 4;
  if (size === first) return { size, shift: 0, flags: head[4]!, meta: null };
  const last = await readAt(fh, size - 4, 4);
  const lastTag = last.length === 4 ? last.readUInt32BE(0) : 0;
  const tailStart = Math.max(first, size - Math.max(TAIL_READ, Math.min(lastTag + 4, MAX_TAIL_READ)));
  const tail = await readAt(fh, tailStart, size - tailStart);
  const shift = continueAfter(tail, size - tailStart);
  if (shift === null) throw bad(path, "it does not end on a whole FLV tag");
  let meta: ExistingFlv["meta"] = null;
  if (head.length >= first + 11 && (head[first]! & 0x1f) === FLV_TAG_SCRIPT) {
    const bodySize = head.readUIntBE(first + 1, 3);
    const body = head.subarray(first + 11, first + 11 + bodySize);
    const d = numberSlot(body, "duration");
    const f = numberSlot(body, "filesize");
    meta = { durationAt: d < 0 ? -1 : first + 11 + d, filesizeAt: f < 0 ? -1 : first + 11 + f };
  }
  return { size, shift, flags: head[4]!, meta };
}
