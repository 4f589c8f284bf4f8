/**
 * What the live engine needs to know about one audio/video message body: is
 * it a keyframe, a codec sequence header, which codec (for stats). Parsing is
 * the protocol layer's (legacy FLV headers and Enhanced RTMP ex-headers,
 * `protocol/rtmp/media-header.ts`); payloads are never changed.
 */
import { parseAudioTagHeader, parseVideoTagHeader } from "../../protocol/rtmp/media-header.js";

/** Names stats report, from the FourCC or legacy name the parser gives. */
const CODEC_NAMES: Record<string, string> = {
  avc1: "H264",
  hvc1: "H265",
  av01: "AV1",
  vp09: "VP9",
  vp08: "VP8",
  h263: "H263",
  vp6: "VP6",
  vp6a: "VP6A",
  mp4a: "AAC",
  mp3: "MP3",
  ".mp3": "MP3",
  Opus: "Opus",
  fLaC: "FLAC",
  "ac-3": "AC3",
  "ec-3": "EAC3",
  speex: "Speex",
  alaw: "G711A",
  ulaw: "G711U",
};

export interface FrameInfo {
  keyframe: boolean;
  sequenceHeader: boolean;
  codec: string | null;
}

const NONE: FrameInfo = { keyframe: false, sequenceHeader: false, codec: null };

const name = (codec: string): string | null => (codec === "" ? null : (CODEC_NAMES[codec] ?? codec));

/** Classifies a video message body. */
export function videoInfo(p: Buffer): FrameInfo {
  const h = parseVideoTagHeader(p);
  if (!h) return NONE;
  return { keyframe: h.keyframe, sequenceHeader: h.sequenceHeader, codec: name(h.codec) };
}

/** Classifies an audio message body (every audio frame but a sequence header can start playback). */
export function audioInfo(p: Buffer): FrameInfo {
  const h = parseAudioTagHeader(p);
  if (!h) return NONE;
  return { keyframe: !h.sequenceHeader, sequenceHeader: h.sequenceHeader, codec: name(h.codec) };
}
