/**
 * The onMetaData script tag a recorded FLV starts with: the publisher's
 * metadata (keys of tracks the file does not hold removed), led by
 * `duration` and `filesize` numbers whose 8-byte slots are patched when the
 * file is closed. nginx-rtmp's recorder writes no metadata at all; players
 * and ffprobe then cannot show the length of the file.
 */
import {
  type AmfObject,
  type AmfValue,
  decodeAmf0,
  encodeAmf0,
  isPlainObject,
  markEcmaArray,
} from "../../protocol/amf/index.js";
import { FLV_HEADER_SIZE, FLV_TAG_SCRIPT, flvFileHeader, flvTag } from "../../protocol/flv/flv-file.js";

/** Publisher metadata larger than this is not copied (a sane onMetaData is < 1 KiB). */
export const MAX_METADATA_BYTES = 64 * 1024;
const LIMITS = {
  maxDepth: 8,
  maxElements: 1024,
  maxStringLength: 16 * 1024,
  maxTotalBytes: MAX_METADATA_BYTES,
};

const AUDIO_KEYS = new Set(["audiocodecid", "audiodatarate", "audiosamplerate", "audiosamplesize", "stereo"]);
const VIDEO_KEYS = new Set(["videocodecid", "videodatarate", "width", "height", "framerate", "fps"]);
/** Keys the recorder owns (rewritten) or that describe the publisher's file, not ours. */
const DROPPED = new Set(["duration", "filesize", "lasttimestamp", "lastkeyframetimestamp"]);

export interface RecordHead {
  /** FLV header + PreviousTagSize0 + the onMetaData tag (with its back-pointer). */
  bytes: Buffer;
  /** Offsets (from the start of the file) of the f64 `duration` and `filesize` values. */
  durationAt: number;
  filesizeAt: number;
}

/** The AMF0 key + number marker prefix of `key`: u16 length, bytes, 0x00. */
export function numberKeyBytes(key: string): Buffer {
  const k = Buffer.alloc(2 + key.length + 1);
  k.writeUInt16BE(key.length, 0);
  k.write(key, 2, "latin1");
  return k;
}

/** Finds the f64 slot of a top-level number property in an onMetaData body (-1 when absent). */
export function numberSlot(body: Buffer, key: string): number {
  const at = body.indexOf(numberKeyBytes(key));
  if (at < 0 || at + key.length + 3 + 8 > body.length) return -1;
  return at + key.length + 3;
}

/** The members of a publisher's `onMetaData` body, or {} when it is not one (or too big, or broken). */
export function metadataMembers(body: Buffer | null): AmfObject {
  if (!body || body.length > MAX_METADATA_BYTES) return {};
  try {
    const v = decodeAmf0(body, LIMITS);
    const obj: AmfValue = v[1];
    if (v[0] !== "onMetaData" || !isPlainObject(obj)) return {};
    return obj as AmfObject;
  } catch {
    return {};
  }
}

/** Builds the head of a recorded file holding `tracks`. */
export function recordHead(
  publisherMeta: Buffer | null,
  tracks: { audio: boolean; video: boolean },
): RecordHead {
  const members: AmfObject = { duration: 0, filesize: 0 };
  for (const [k, v] of Object.entries(metadataMembers(publisherMeta))) {
    if (DROPPED.has(k) || k === "__proto__") continue;
    if (!tracks.audio && AUDIO_KEYS.has(k)) continue;
    if (!tracks.video && VIDEO_KEYS.has(k)) continue;
    members[k] = v;
  }
  const body = encodeAmf0("onMetaData", markEcmaArray(members));
  const head = flvFileHeader(tracks);
  const tag = flvTag(FLV_TAG_SCRIPT, 0, body);
  const base = FLV_HEADER_SIZE + 4 + 11;
  return {
    bytes: Buffer.concat([head, tag]),
    durationAt: base + numberSlot(body, "duration"),
    filesizeAt: base + numberSlot(body, "filesize"),
  };
}
